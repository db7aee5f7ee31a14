import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { scanCanonicalXml } from './canonical-scan.js';
import { canonicalXml, parsedCanonicalXml } from './fingerprint.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const XML_FILE = /(\.xml|\.object|\.layout|\.profile|\.labels|\.permissionset|\.field)$/;

/** Every metadata XML file of the repository's fixtures (public sample apps' shapes) and of SFDX templates. */
function xmlFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (XML_FILE.test(entry)) found.push(readFileSync(full, 'utf8'));
    }
  };
  walk(path.join(ROOT, 'test/fixtures'));
  walk(path.join(ROOT, 'node_modules/@salesforce/templates/lib/templates'));
  return found;
}

/** A seeded generator, so a failure names the same mutation on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
}

const INSERTS = [
  ' ',
  '\n',
  '\r\n',
  '\r',
  '\t',
  '&amp;',
  '&lt;',
  '&gt;',
  '&apos;',
  '&quot;',
  '&#39;',
  '&#x26;',
  '&nbsp;',
  '&',
  '&amp',
  '&;',
  '<!-- note -->',
  '<![CDATA[ a < b ]]>',
  '<b/>',
  '<b>t</b>',
  '<b x="1"/>',
  '</b>',
  '<',
  '>',
  '"',
  "'",
  '=',
  '\u00a0',
  '\ufeff',
  '\u0001',
  '\u2028',
  'é',
  ' a="1"',
  " a='x &amp; y'",
  ' a = "1"',
  ' a="1" a="2"',
  ' a',
  '<?pi x?>',
  '<!DOCTYPE x>',
  '<?xml version="1.0"?>',
  ' xmlns:x="urn:x"',
  '<x:y>z</x:y>',
  '<constructor/>',
  '<toString>t</toString>',
  ' constructor="1"',
  '<__proto__/>',
  '<1a/>',
  '<a.b-c>t</a.b-c>',
];

function mutate(text: string, next: () => number): string {
  const at = Math.floor(next() * (text.length + 1));
  const pick = next();
  if (pick < 0.6) {
    const insert = INSERTS[Math.floor(next() * INSERTS.length)]!;
    return text.slice(0, at) + insert + text.slice(at);
  }
  if (pick < 0.7) return text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 8));
  if (pick < 0.8) return text.slice(0, at) + text.slice(at, at + 20) + text.slice(at);
  if (pick < 0.9) return text.slice(0, at) + text.charAt(at).toUpperCase() + text.slice(at + 1);
  // an attribute added to a random start tag
  const tags = [...text.matchAll(/<([A-Za-z_][\w.:-]*)/g)];
  const tag = tags[Math.floor(next() * tags.length)];
  if (!tag) return text;
  const end = tag.index + tag[0].length;
  const value = [' spaced ', 'a &amp; b', 'q&quot;', "it's", 'x &lt; y', '&bad;'][Math.floor(next() * 6)]!;
  return `${text.slice(0, end)} attr${Math.floor(next() * 3)}="${value}"${text.slice(end)}`;
}

describe('scanCanonicalXml', () => {
  const files = xmlFiles();

  it('reads the metadata files of sample apps and templates exactly as the parser does', () => {
    let read = 0;
    for (const text of files) {
      for (const unorderedChildren of [false, true]) {
        const scanned = scanCanonicalXml(text, unorderedChildren);
        if (scanned !== undefined) read++;
        expect(scanned ?? parsedCanonicalXml(text, { unorderedChildren })).toBe(
          parsedCanonicalXml(text, { unorderedChildren }),
        );
      }
    }
    // the scan must actually take the common files, or it would save nothing
    expect(files.length).toBeGreaterThan(100);
    expect(read).toBeGreaterThan(files.length * 2 * 0.8);
  });

  it('agrees with the parser on thousands of mutated files: the same canonical form, or both none', () => {
    const next = random(17);
    let scanned = 0;
    let parsedOnly = 0;
    for (let n = 0; n < (Number(process.env.FUZZ_ROUNDS) || 10_000); n++) {
      let text = files[Math.floor(next() * files.length)]!;
      const mutations = 1 + Math.floor(next() * 3);
      for (let m = 0; m < mutations; m++) text = mutate(text, next);
      const unorderedChildren = next() < 0.3;
      const fast = scanCanonicalXml(text, unorderedChildren);
      if (fast === undefined) parsedOnly++;
      else scanned++;
      const reference = parsedCanonicalXml(text, { unorderedChildren });
      if (fast !== undefined && fast !== reference) {
        throw new Error(`the scan and the parser differ on:\n${text}\nscan:   ${fast}\nparser: ${reference}`);
      }
      expect(canonicalXml(text, { unorderedChildren })).toBe(reference);
    }
    // both paths were exercised
    expect(scanned).toBeGreaterThan(1000);
    expect(parsedOnly).toBeGreaterThan(1000);
  });

  it('decodes the five named entities, trims values and attributes, and sorts attributes', () => {
    const text = `<?xml version="1.0" encoding="UTF-8"?>\r\n<A b=" 2 " a="x &amp; &quot;y&quot;">\r\n  <c>  1 &lt; 2 &amp;&amp; it&apos;s &gt; 0 </c>\n  <d/>\n  tail\n</A>\n`;
    expect(scanCanonicalXml(text)).toBe('<A @a="x & \\"y\\"" @b="2"><c>T"1 < 2 && it\'s > 0"</c><d></d>T"tail"</A>');
    expect(scanCanonicalXml(text)).toBe(parsedCanonicalXml(text));
  });

  it("sorts the root's children of a labels file by their canonical form", () => {
    const labels = `<CustomLabels><labels><fullName>B</fullName></labels>text<labels><fullName>A</fullName><x/></labels></CustomLabels>`;
    const scanned = scanCanonicalXml(labels, true);
    expect(scanned).toBe(
      '<CustomLabels><labels><fullName>T"A"</fullName><x></x></labels><labels><fullName>T"B"</fullName></labels>T"text"</CustomLabels>',
    );
    expect(scanned).toBe(parsedCanonicalXml(labels, { unorderedChildren: true }));
  });

  it('leaves to the parser what it does not read with certainty', () => {
    for (const text of [
      '<a><!-- c --></a>',
      '<a><![CDATA[x]]></a>',
      '<!DOCTYPE a><a/>',
      '<a>&#39;</a>',
      '<a>&nbsp;</a>',
      '<a>AT&T</a>',
      '<a b="1" b="2"/>',
      '<a b = "1"/>',
      '<a><b></a></b>',
      '<a/><b/>',
      ' <a/>',
      '\ufeff<a/>',
      '<a>\u0001</a>',
      '<toString/>',
      '<a>',
    ]) {
      expect(scanCanonicalXml(text)).toBeUndefined();
    }
  });
});
