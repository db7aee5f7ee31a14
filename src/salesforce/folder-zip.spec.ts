import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readZip } from '../common/zip.js';
import { zipFolder } from './folder-zip.js';

describe('zipFolder', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'folder-zip-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('zips every file with names relative to the folder, leaving out tool and VCS folders', async () => {
    const files: Record<string, string> = {
      'sfdx-project.json': '{}',
      '.forceignore': '**/jsconfig.json',
      'force-app/main/default/classes/A.cls': 'public class A {}',
      '.git/HEAD': 'ref: refs/heads/main',
      '.sfdx/config.json': '{}',
      'node_modules/x/index.js': '',
    };
    for (const [name, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), content);
    }
    const entries = await readZip(await zipFolder(dir));
    assert.deepEqual([...entries.keys()].sort(), ['.forceignore', 'force-app/main/default/classes/A.cls', 'sfdx-project.json']);
    assert.equal(entries.get('force-app/main/default/classes/A.cls')?.toString(), 'public class A {}');
  });
});
