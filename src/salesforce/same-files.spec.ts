import { describe, it, expect } from '@jest/globals';
import { sha256 } from '../common/hash.js';
import { fingerprintComponent } from './fingerprint.js';
import { knownFingerprint, sameFiles } from './same-files.js';

const file = (path: string, text: string) => ({ path, content: Buffer.from(text) });
const stored = (path: string, text: string) => ({ path, sha256: sha256(text), size: Buffer.byteLength(text) });

const CLS = 'public class A {}';
const META = '<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass><apiVersion>60.0</apiVersion></ApexClass>\n';

describe('sameFiles', () => {
  it('holds for the same bytes at the same paths inside the component, wherever the component lives', () => {
    const live = [file('classes/A.cls', CLS), file('classes/A.cls-meta.xml', META)];
    const backup = [stored('unpackaged/classes/A.cls-meta.xml', META), stored('unpackaged/classes/A.cls', CLS)];
    expect(sameFiles(live, backup)).toBe(true);
    // what the shortcut stands for: the fingerprints agree
    expect(fingerprintComponent(live)).toBe(
      fingerprintComponent([file('unpackaged/classes/A.cls', CLS), file('unpackaged/classes/A.cls-meta.xml', META)]),
    );
  });

  it('fails on one changed byte, even of the same size', () => {
    const live = [file('classes/A.cls', 'public class B {}'), file('classes/A.cls-meta.xml', META)];
    expect(sameFiles(live, [stored('classes/A.cls', CLS), stored('classes/A.cls-meta.xml', META)])).toBe(false);
  });

  it('compares a file by the SHA-256 its reader took of it, when it carries one, instead of hashing it again', () => {
    const backup = [stored('classes/A.cls', CLS), stored('classes/A.cls-meta.xml', META)];
    const addressed = (path: string, text: string, address: string) => ({ ...file(path, text), sha256: address });
    expect(
      sameFiles(
        [addressed('classes/A.cls', CLS, sha256(CLS)), addressed('classes/A.cls-meta.xml', META, sha256(META))],
        backup,
      ),
    ).toBe(true);
    // the address is what is compared: one that does not match the stored file fails, whatever the bytes
    expect(
      sameFiles([addressed('classes/A.cls', CLS, sha256('other')), file('classes/A.cls-meta.xml', META)], backup),
    ).toBe(false);
  });

  it('fails on a file more, a file less, or a file under another name', () => {
    const backup = [stored('classes/A.cls', CLS), stored('classes/A.cls-meta.xml', META)];
    expect(sameFiles([file('classes/A.cls', CLS)], backup)).toBe(false);
    expect(
      sameFiles([file('classes/A.cls', CLS), file('classes/A.cls-meta.xml', META), file('classes/x.txt', '')], backup),
    ).toBe(false);
    expect(sameFiles([file('classes/A.cls', CLS), file('classes/a.cls-meta.xml', META)], backup)).toBe(false);
  });

  it('fails when only the XML formatting differs: the caller then compares fingerprints, which may still agree', () => {
    const reformatted = META.replace('<apiVersion>', '\n  <apiVersion>');
    const live = [file('classes/A.cls', CLS), file('classes/A.cls-meta.xml', reformatted)];
    expect(sameFiles(live, [stored('classes/A.cls', CLS), stored('classes/A.cls-meta.xml', META)])).toBe(false);
    expect(fingerprintComponent(live)).toBe(
      fingerprintComponent([file('classes/A.cls', CLS), file('classes/A.cls-meta.xml', META)]),
    );
  });
});

describe('knownFingerprint', () => {
  const known = {
    files: [
      stored('force-app/main/default/classes/A.cls', CLS),
      stored('force-app/main/default/classes/A.cls-meta.xml', META),
    ],
    fingerprint: 'f'.repeat(64),
  };

  it("gives the known fingerprint for the same bytes read in the other format's folders", () => {
    expect(knownFingerprint([file('classes/A.cls', CLS), file('classes/A.cls-meta.xml', META)], known)).toBe(
      known.fingerprint,
    );
  });

  it('gives nothing for other bytes, or when nothing is known: the caller fingerprints the files', () => {
    expect(knownFingerprint([file('classes/A.cls', `${CLS} `), file('classes/A.cls-meta.xml', META)], known)).toBe(
      undefined,
    );
    expect(knownFingerprint([file('classes/A.cls', CLS), file('classes/A.cls-meta.xml', META)], undefined)).toBe(
      undefined,
    );
  });
});
