import { describe, expect, it, jest } from '@jest/globals';
import { writeZip } from '../common/zip.js';
import type { MemberRef } from '../salesforce/component.types.js';
import type { MetadataSession, RetrieveStatus } from '../salesforce/metadata-api.gateway.js';
import { fetchRetrieves, indexRetrieved, type RetrievedChunk, type RetrievedZip } from './org-retriever.js';

const fls = (field: string) =>
  `    <fieldPermissions>\n        <editable>true</editable>\n        <field>${field}</field>\n        <readable>true</readable>\n    </fieldPermissions>\n`;
const profile = (...parts: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Profile xmlns="http://soap.sforce.com/2006/04/metadata">\n${parts.join('')}</Profile>\n`;
const classMeta = `<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">\n    <apiVersion>62.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n`;
const ref = (type: string, fullName: string): MemberRef => ({ type, fullName });

/** A retrieve's zip as Salesforce returns it: the classes and one read of the Admin profile. */
async function retrieveOf(classes: string[], profileXml: string, unreported: MemberRef[] = []): Promise<RetrievedZip> {
  const zip = await writeZip([
    { path: 'unpackaged/package.xml', content: Buffer.from('<Package/>') },
    ...classes.flatMap((name) => [
      { path: `unpackaged/classes/${name}.cls`, content: Buffer.from(`public class ${name} {}\n`) },
      { path: `unpackaged/classes/${name}.cls-meta.xml`, content: Buffer.from(classMeta) },
    ]),
    { path: 'unpackaged/profiles/Admin.profile', content: Buffer.from(profileXml) },
  ]);
  return {
    members: [ref('Profile', 'Admin'), ...classes.map((c) => ref('ApexClass', c)), ref('ApexClass', 'Gone')],
    unreported,
    zip,
    messages: [
      { fileName: 'unpackaged/classes/Gone.cls', problem: "Entity of type 'ApexClass' named 'Gone' cannot be found" },
    ],
  };
}

const keys = (refs: MemberRef[]) => refs.map((r) => `${r.type}:${r.fullName}`);

describe('indexRetrieved', () => {
  it('reads stored retrieves as the live retrieve does: profiles merged across chunks, companions left out', async () => {
    const stored = [
      await retrieveOf(['Alpha', 'Companion'], profile(fls('A__c.X__c')), [ref('ApexClass', 'Companion')]),
      await retrieveOf(['Beta'], profile(fls('B__c.Y__c'))),
    ];
    // what the store gives back: copies of the bytes, read by position
    const copies = stored.map((r) => ({ ...r, zip: Buffer.from(r.zip) }));
    const chunks: RetrievedChunk[] = [];
    await indexRetrieved(copies.length, async (i) => copies[i]!, {
      format: 'stored',
      onChunk: (chunk, index, of) => {
        expect([index, of]).toEqual([chunks.length, 2]);
        chunks.push(chunk);
      },
    });
    const [first, last] = chunks;
    // the profile is held back until the last chunk; the companion is read, never reported
    expect(keys(first!.found)).toEqual(['ApexClass:Alpha']);
    expect(keys(first!.missing)).toEqual(['ApexClass:Gone']);
    expect(keys(last!.found).sort()).toEqual(['ApexClass:Beta', 'Profile:Admin']);
    expect(keys(last!.missing)).toEqual(['ApexClass:Gone']);
    const admin = last!.found.find((c) => c.type === 'Profile')!;
    expect(admin.files.map((f) => f.content.toString('utf8'))).toEqual([profile(fls('A__c.X__c'), fls('B__c.Y__c'))]);
    const alpha = first!.found[0]!;
    expect(alpha.files.find((f) => f.path.endsWith('.cls'))!.content.toString('utf8')).toBe('public class Alpha {}\n');
  });

  it('asks for the next zip before this one is split, and for no zip beyond it while this one is handled', async () => {
    const stored = [
      await retrieveOf(['Alpha'], profile()),
      await retrieveOf(['Beta'], profile()),
      await retrieveOf(['Gamma'], profile()),
      await retrieveOf(['Delta'], profile()),
    ];
    const asked: number[] = [];
    const askedWhileHandled: number[][] = [];
    await indexRetrieved(
      stored.length,
      (i) => {
        asked.push(i);
        return Promise.resolve(stored[i]!);
      },
      {
        format: 'stored',
        // a slow handler: whatever would be asked for while it runs is
        onChunk: async () => {
          for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
          askedWhileHandled.push([...asked]);
        },
      },
    );
    expect(askedWhileHandled).toEqual([
      [0, 1],
      [0, 1, 2],
      [0, 1, 2, 3],
      [0, 1, 2, 3],
    ]);
    // before the split: a zip that cannot be split has its next one asked for already
    asked.length = 0;
    const unreadable = { ...stored[0]!, zip: Buffer.from('not a zip') };
    await expect(
      indexRetrieved(
        stored.length,
        (i) => {
          asked.push(i);
          return Promise.resolve(i === 0 ? unreadable : stored[i]!);
        },
        { format: 'stored', onChunk: () => undefined },
      ),
    ).rejects.toThrow();
    expect(asked).toEqual([0, 1]);
  });

  it('fails when a stored retrieve cannot be read, reporting no chunk after it', async () => {
    const good = await retrieveOf(['Alpha'], profile());
    const seen: number[] = [];
    await expect(
      indexRetrieved(
        2,
        async (i) => (i === 0 ? good : Promise.reject(new Error('Retrieve 2 of snapshot s is corrupt'))),
        { format: 'stored', onChunk: (_chunk, index) => void seen.push(index) },
      ),
    ).rejects.toThrow('Retrieve 2 of snapshot s is corrupt');
    expect(seen).toEqual([0]);
  });
});

describe('fetchRetrieves', () => {
  it('lets local work start once the first retrieve is submitted, submits the others meanwhile, at once, and reads the first while they are answered', async () => {
    const events: string[] = [];
    const answers: (() => void)[] = [];
    const zip = await writeZip([{ path: 'package.xml', content: Buffer.from('<Package/>') }]);
    const session = {
      // the first submission is answered at once; the later ones only when the test says so
      startRetrieve: (refs: MemberRef[]) => {
        const id = `09S${refs[0]!.fullName}`;
        events.push(`submit ${id}`);
        if (id === '09SClass0') return Promise.resolve(id);
        return new Promise<string>((resolve) => answers.push(() => resolve(id)));
      },
      checkRetrieve: (id: string): Promise<RetrieveStatus> => {
        events.push(`check ${id}`);
        return Promise.resolve({ id, done: true, status: 'Succeeded', success: true, zip, messages: [] });
      },
    } as unknown as MetadataSession;
    // 6,000 files each: one retrieve per component (10,000 files at most in one)
    const targets = [0, 1, 2].map((i) => ({ ref: ref('ApexClass', `Class${i}`), fileCount: 6000, bytes: 1000 }));
    const fetched: string[] = [];
    const done = fetchRetrieves(session, targets, {
      pollCeilingMs: 10,
      onSubmitted: () => events.push('local work'),
      onRetrieved: async (retrieved) => {
        fetched.push(retrieved.members[0]!.fullName);
      },
    });
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual([
      'submit 09SClass0',
      'submit 09SClass1',
      'submit 09SClass2',
      'local work',
      'check 09SClass0',
    ]);
    expect(fetched).toEqual(['Class0']);
    for (const answer of answers) answer();
    await done;
    expect(fetched).toEqual(['Class0', 'Class1', 'Class2']);
  });

  it('fails when a later submission is refused, checking no retrieve after the refusal is known', async () => {
    const checks: string[] = [];
    let refuse!: (error: Error) => void;
    const session = {
      startRetrieve: (refs: MemberRef[]) =>
        refs[0]!.fullName === 'Class0'
          ? Promise.resolve('09S0')
          : new Promise<string>((_, reject) => (refuse = reject)),
      // the first retrieve is never done: only the refusal can end the polling
      checkRetrieve: (id: string): Promise<RetrieveStatus> => {
        checks.push(id);
        return Promise.resolve({ id, done: false, status: 'InProgress', success: false, messages: [] });
      },
    } as unknown as MetadataSession;
    const targets = [0, 1].map((i) => ({ ref: ref('ApexClass', `Class${i}`), fileCount: 6000, bytes: 1000 }));
    const onRetrieved = jest.fn(async () => undefined);
    const done = fetchRetrieves(session, targets, { pollCeilingMs: 10, onRetrieved });
    const outcome = expect(done).rejects.toThrow('REQUEST_LIMIT_EXCEEDED');
    while (checks.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    refuse(new Error('REQUEST_LIMIT_EXCEEDED: too many retrieves'));
    await outcome;
    const after = checks.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(checks.length).toBe(after);
    expect(onRetrieved).not.toHaveBeenCalled();
  });
});
