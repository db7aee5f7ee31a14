import { describe, expect, test } from '@jest/globals';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { generateProject } from '../../test/fixtures/generate-project.js';
import { corpusVersion } from '../../test/helpers/corpus.js';
import { fixturePath, writeRichObjectProject } from '../../test/helpers/rich-object-project.js';
import type { ResolvedComponent } from './component.types.js';
import { composeObjectComponents, decomposeObjectFile, isObjectFamily } from './custom-object.js';
import { DEFAULT_SOURCE_ROOT } from './fast-path.js';
import { sfdxProjectJson } from './metadata-to-source.js';
import { XMLValidator } from 'fast-xml-parser';
import { scanElements } from './object-scan.js';
import { resolveProject } from './project-resolver.js';

const NS = 'http://soap.sforce.com/2006/04/metadata';
const HEAD = `<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject xmlns="${NS}">\n`;

const bytes = (cs: ResolvedComponent[] | undefined) =>
  cs?.map((c) => [c.type, c.fullName, c.parent?.fullName, c.files.map((f) => [f.path, f.content.toString('base64')])]);

/** The scan path and the parser path of `decomposeObjectFile` on one file; and whether the scan read it. */
function both(content: Buffer, name = 'Obj__c') {
  return {
    scanned: scanElements(content.toString(), 'CustomObject') !== undefined,
    fast: bytes(decomposeObjectFile(name, content, DEFAULT_SOURCE_ROOT)),
    parsed: bytes(decomposeObjectFile(name, content, DEFAULT_SOURCE_ROOT, { scan: false })),
  };
}

/** composeObjectComponents by the scan (where it can) or by the parser, as comparable text. */
const composed = (components: ResolvedComponent[], scan: boolean) => {
  const { files, rest } = composeObjectComponents(components, { scan });
  return [[...files].map(([p, c]) => [p, c.toString('base64')]), rest.map((c) => c.fullName)];
};

/** Object files as an org returns them (what SDR's builder writes), from source components. */
function objectFiles(components: ResolvedComponent[]): Map<string, Buffer> {
  return composeObjectComponents(components.filter((c) => isObjectFamily(c.type))).files;
}

describe('decomposing object files by a scan', () => {
  test('gives the parser path’s bytes for real object shapes, and reads every one without a comment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bt-scan-'));
    try {
      const files = new Map<string, Buffer>();
      await writeRichObjectProject(join(dir, 'rich'));
      await generateProject(join(dir, 'gen'), { classes: 0, objects: 3, fieldsPerObject: 12, lwc: 0 });
      // the corpus: the bike shop in the shapes public SFDX sample apps use, both versions
      for (const version of ['v1', 'v2'] as const) {
        for (const [p, content] of Object.entries(await corpusVersion(version))) {
          await mkdir(dirname(join(dir, version, p)), { recursive: true });
          await writeFile(join(dir, version, p), content);
        }
        await writeFile(join(dir, version, 'sfdx-project.json'), sfdxProjectJson('force-app'));
      }
      for (const project of ['rich', 'gen', 'v1', 'v2'])
        for (const [p, c] of objectFiles((await resolveProject(join(dir, project))).components)) files.set(p, c);
      for (const [p, c] of objectFiles((await resolveProject(fixturePath('sample-project'))).components))
        files.set(p, c);
      files.set('sample-mdapi', await readFile(join(fixturePath('sample-mdapi'), 'objects', 'Invoice__c.object')));
      expect(files.size).toBeGreaterThanOrEqual(7);
      expect([...files.values()].filter((c) => c.includes('<!--'))).toHaveLength(1);
      // composing: the same object files either way, from the projects' source components
      for (const project of ['rich', 'gen', 'v1', 'v2']) {
        const components = (await resolveProject(join(dir, project))).components.filter((c) => isObjectFamily(c.type));
        expect(composed(components, true)).toEqual(composed(components, false));
      }
      for (const [path, content] of files) {
        const { scanned, fast, parsed } = both(content);
        // the rich object keeps an admin's comment, which the builder writes inline: that one is the parser's
        expect([path, scanned]).toEqual([path, !content.includes('<!--')]);
        expect(fast).toEqual(parsed);
        expect(fast!.length).toBeGreaterThan(1);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('leaves to the parser what its builder would not write back unchanged, with the same result', () => {
    const field = (inner: string) => `    <fields>\n${inner}    </fields>\n`;
    const named = (extra = '') => field(`        <fullName>F__c</fullName>\n${extra}`);
    const cases: [string, string][] = [
      ['a raw quote', `    <label>a "b"</label>\n`],
      ['an apostrophe', `    <label>it's</label>\n`],
      ['a raw >', `    <label>a > b</label>\n`],
      ['an escaped numeric reference', `    <label>&amp;#39;</label>\n`],
      ['a self-closing element', `    <label/>\n`],
      ['spaces around text', `    <label> x </label>\n`],
      ['a comment', `    <!-- c -->\n    <label>x</label>\n`],
      ['an attribute', `    <label a="1">x</label>\n`],
      ['CDATA', `    <label><![CDATA[x]]></label>\n`],
      ['a tab indent', `\t<label>x</label>\n`],
      ['a three-space indent', `   <label>x</label>\n`],
      ['CRLF', `    <label>x</label>\r\n`],
      ['an empty container', `    <nameField>\n    </nameField>\n`],
      ['split runs of one name', `    <label>a</label>\n    <plural>b</plural>\n    <label>c</label>\n`],
      ['split runs inside a child', named(`        <a>1</a>\n        <b>2</b>\n        <a>3</a>\n`)],
      ['text then elements', `    <label>x\n        <b>y</b>\n    </label>\n`],
      ['an element named as the builder’s CDATA key', `    <__cdata>x</__cdata>\n`],
      ['a wrong close tag', `    <nameField>\n        <label>x</label>\n    </other>\n`],
    ];
    for (const [what, body] of cases) {
      const { scanned, fast, parsed } = both(Buffer.from(`${HEAD}${body}</CustomObject>\n`));
      expect([what, scanned]).toEqual([what, false]);
      expect([what, fast]).toEqual([what, parsed]);
    }
    // read by the scan, but the parser path decides (as SDR does: dropped, or left to SDR)
    for (const [what, body] of [
      ['a child holding only text', `    <fields>text</fields>\n`],
      ['a child without a name', field(`        <label>L</label>\n`)],
      ['a child named twice', named(`        <fullName>G__c</fullName>\n`)],
      ['a dotted child name', field(`        <fullName>A.B__c</fullName>\n`)],
      ['two children of one name', named() + named()],
      ['a name both as text and as elements', named(`        <fullName>\n            <x>1</x>\n        </fullName>\n`)],
    ]) {
      const { fast, parsed } = both(Buffer.from(`${HEAD}    <label>x</label>\n${body}</CustomObject>\n`));
      expect([what, fast]).toEqual([what, parsed]);
    }
    for (const [what, text] of [
      ['a byte order mark', `\uFEFF${HEAD}    <label>x</label>\n</CustomObject>\n`],
      ['another root', HEAD.replace('<CustomObject', '<Other') + '    <label>x</label>\n</Other>\n'],
      ['no elements', `${HEAD}</CustomObject>\n`],
      ['a blank line at the end', `${HEAD}    <label>x</label>\n\n</CustomObject>\n`],
    ] as const) {
      const { scanned, fast, parsed } = both(Buffer.from(text));
      expect([what, scanned]).toEqual([what, false]);
      expect([what, fast]).toEqual([what, parsed]);
    }
  });

  test('agrees with the parser path on thousands of generated files, reading the canonical ones', () => {
    let seed = 17;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const texts = [
      'x',
      'Account Name',
      '16',
      'true',
      '',
      'a &amp; b',
      '&quot;quoted&quot;',
      'it&apos;s',
      '1 &lt; 2 &gt; 0',
      '&#39;n&#x27;',
      'line one\nline two',
      'IF(ISBLANK(x),\n    &quot;a&quot;, &quot;b&quot;)',
      'é 中 ✓',
      'a\tb',
    ];
    // what the builder would write otherwise: now and then
    const unsafe = ['a "raw" quote', ' padded ', "it's", 'a > b', '&amp;#39;', '\u00a0no-break\u00a0'];
    const leafTags = ['label', 'description', 'type', 'length', 'required', 'formula', 'default'];
    const childTags = ['fields', 'listViews', 'validationRules', 'webLinks', 'recordTypes', 'fieldSets'];
    const element = (tag: string, depth: number): string => {
      const pad = '    '.repeat(depth);
      const text = random() < 0.04 ? pick(unsafe) : pick(texts);
      if (depth > 3 || random() < 0.6) return `${pad}<${tag}>${text}</${tag}>\n`;
      let inner = '';
      for (let i = 0, n = 1 + Math.floor(random() * 3); i < n; i++) inner += element(pick(leafTags), depth + 1);
      return `${pad}<${tag}>\n${inner}${pad}</${tag}>\n`;
    };
    const child = (tag: string, name: string): string => {
      const key = random() < 0.8 ? 'fullName' : 'name';
      let inner = `        <${key}>${name}</${key}>\n`;
      for (let i = 0, n = Math.floor(random() * 4); i < n; i++) inner += element(pick(leafTags), 2);
      return `    <${tag}>\n${inner}    </${tag}>\n`;
    };
    let read = 0;
    const runs = 3_000;
    for (let run = 0; run < runs; run++) {
      let body = '';
      const used = new Set<string>();
      for (const tag of leafTags.slice(0, 1 + Math.floor(random() * 3))) body += element(tag, 1);
      for (const tag of childTags.filter(() => random() < 0.5)) {
        for (let i = 0, n = Math.floor(random() * 3); i < n; i++) {
          const name = pick(['A__c', 'B__c', 'C__c', 'All', 'Mine', 'Rule_1']);
          if (used.has(`${tag}/${name}`) && random() < 0.8) continue;
          used.add(`${tag}/${name}`);
          body += child(tag, name);
        }
      }
      if (random() < 0.1) body += element('label', 1); // a second run of one name, now and then
      const text = `${HEAD}${body}</CustomObject>${random() < 0.9 ? '\n' : ''}`;
      const { scanned, fast, parsed } = both(Buffer.from(text));
      expect([run, fast]).toEqual([run, parsed]);
      if (scanned && fast) read++;
      // and back: its components, in a shuffled order, composed by the scan and by the parser
      const components = decomposeObjectFile('Obj__c', Buffer.from(text), DEFAULT_SOURCE_ROOT, { scan: false });
      if (components) {
        const shuffled = [...components].sort(() => random() - 0.5);
        expect([run, composed(shuffled, true)]).toEqual([run, composed(shuffled, false)]);
      }
    }
    // the scan reads many of them and leaves many to the parser: both paths are exercised
    expect(read).toBeGreaterThan(runs / 10);
    expect(read).toBeLessThan(runs * 0.9);
  });

  test('reads only well-formed XML: every mutant of an object file it reads passes the XML validator', () => {
    // what lets metadataFilesToSource skip validating the files the scan decomposed
    const fields = [0, 1, 2]
      .map(
        (f) =>
          `    <fields>\n        <fullName>Field${f}__c</fullName>\n        <label>Field &amp; ${f}</label>\n` +
          `        <length>255</length>\n        <type>Text</type>\n    </fields>\n`,
      )
      .join('');
    const base = `${HEAD}    <deploymentStatus>Deployed</deploymentStatus>\n${fields}    <label>Gen</label>\n</CustomObject>\n`;
    const pieces = [
      '<',
      '>',
      '&',
      ';',
      '#',
      '/',
      '"',
      "'",
      ' ',
      '\n',
      '\t',
      '\r',
      '\u0001',
      'a',
      '0',
      '&#0;',
      '&#x1;',
      '&#x110000;',
      '&foo;',
      '\uFFFE',
      ':',
      '-',
      '.',
      '?',
      '!',
      '[',
      ']',
      ']]>',
      '<!--',
      '<![CDATA[',
      '</fields>',
    ];
    let seed = 1;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    let read = 0;
    for (let i = 0; i < 200_000; i++) {
      let text = base;
      for (let k = 1 + next(3); k > 0; k--) {
        const at = next(text.length);
        const piece = pieces[next(pieces.length)]!;
        const op = next(3);
        text =
          op === 0
            ? text.slice(0, at) + piece + text.slice(at)
            : op === 1
              ? text.slice(0, at) + text.slice(at + 1 + next(3))
              : text.slice(0, at) + piece + text.slice(at + 1);
      }
      if (!scanElements(text, 'CustomObject')) continue;
      read++;
      expect([text, XMLValidator.validate(text)]).toEqual([text, true]);
    }
    expect(read).toBeGreaterThan(5_000);
  });
});
