import { describe, it, expect } from '@jest/globals';
import { archiveResourcePaths, buildDeployZip, rezipDeterministically } from './deploy-package.js';
import { splitRetrievedZip } from './retrieve-split.js';
import { storedFormatOf } from './stored-format.js';
import { readZip, writeZip, writeZipWithArchiver } from '../common/zip.js';

const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';
const resourceMeta = (type: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<StaticResource ${NS}>\n    <cacheControl>Public</cacheControl>\n` +
  `    <contentType>${type}</contentType>\n</StaticResource>\n`;
const object =
  `<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject ${NS}>\n    <fields>\n` +
  `        <fullName>accountId__c</fullName>\n        <label>Account</label>\n        <length>18</length>\n` +
  `        <type>Text</type>\n    </fields>\n</CustomObject>\n`;

async function retrieved(files: Record<string, string | Buffer>): Promise<Buffer> {
  return writeZip(
    Object.entries(files).map(([path, c]) => ({ path, content: Buffer.isBuffer(c) ? c : Buffer.from(c) })),
  );
}

describe('backups in the stored format', () => {
  it('keeps an archive static resource exactly as retrieved, in metadata format', async () => {
    const archive = await writeZipWithArchiver([{ path: 'css/a.css', content: Buffer.from('body {}\n') }]);
    const zip = await retrieved({
      'package.xml': '<Package/>',
      'staticresources/Theme.resource': archive,
      'staticresources/Theme.resource-meta.xml': resourceMeta('application/zip'),
    });
    const { components } = await splitRetrievedZip(zip, [{ type: 'StaticResource', fullName: 'Theme' }], {
      format: 'stored',
    });
    expect(components.map((c) => c.files.map((f) => f.path))).toEqual([
      ['staticresources/Theme.resource', 'staticresources/Theme.resource-meta.xml'],
    ]);
    expect(components[0]!.files[0]!.content.equals(archive)).toBe(true);
  });

  it("finds a field asked for under another case of its name, and keeps the org's spelling", async () => {
    const zip = await retrieved({ 'objects/Order__c.object': object });
    const out = await splitRetrievedZip(zip, [{ type: 'CustomField', fullName: 'Order__c.AccountId__c' }], {
      format: 'stored',
    });
    expect(out.missing).toEqual([]);
    expect(out.components.map((c) => c.fullName)).toEqual(['Order__c.accountId__c']);
  });

  it('stores whole-file types in metadata format and decomposed families in source format', () => {
    expect(['StaticResource', 'Layout', 'Flow', 'ApexClass', 'Translations'].map(storedFormatOf)).toEqual(
      Array(5).fill('metadata'),
    );
    expect(['CustomObject', 'CustomField', 'CustomLabels', 'CustomLabel', 'Workflow'].map(storedFormatOf)).toEqual(
      Array(5).fill('source'),
    );
  });
});

describe('restore packages', () => {
  it("put a backup's metadata-format files in the zip byte for byte", async () => {
    const archive = await writeZipWithArchiver([{ path: 'x.txt', content: Buffer.from('x') }]);
    const exact = [
      {
        type: 'StaticResource',
        fullName: 'Theme',
        files: [
          { path: 'staticresources/Theme.resource', content: archive },
          { path: 'staticresources/Theme.resource-meta.xml', content: Buffer.from(resourceMeta('application/zip')) },
        ],
      },
    ];
    const pkg = await buildDeployZip({ components: [], exact, apiVersion: '62.0' });
    const files = await readZip(pkg.zip);
    expect(files.get('staticresources/Theme.resource')!.equals(archive)).toBe(true);
    expect(files.get('package.xml')!.toString()).toContain('<version>62.0</version>');
    expect(pkg.members).toEqual([{ type: 'StaticResource', fullName: 'Theme' }]);
  });

  it('zip an archive static resource to the same bytes whenever it is packaged', async () => {
    const entries = [
      { path: 'b.css', content: Buffer.from('b') },
      { path: 'a.css', content: Buffer.from('a') },
    ];
    const early = await writeZipWithArchiver(entries);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const late = await writeZipWithArchiver([...entries].reverse());
    expect((await rezipDeterministically(early)).equals(await rezipDeterministically(late))).toBe(true);
  });

  it('know which static resources are archives (a folder in source format)', () => {
    const folder = {
      type: 'StaticResource',
      fullName: 'Theme',
      files: [{ path: 'force-app/main/default/staticresources/Theme/a.css', content: Buffer.from('') }],
    };
    const single = {
      type: 'StaticResource',
      fullName: 'Config',
      files: [{ path: 'force-app/main/default/staticresources/Config.json', content: Buffer.from('{}') }],
    };
    expect(archiveResourcePaths([folder, single])).toEqual(['staticresources/Theme.resource']);
  });
});
