import { describe, it, afterAll, expect } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readZip } from '../common/zip.js';
import { zipFolder } from './folder-zip.js';

describe('zipFolder', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'folder-zip-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

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
    expect([...entries.keys()].sort()).toEqual([
      '.forceignore',
      'force-app/main/default/classes/A.cls',
      'sfdx-project.json',
    ]);
    expect(entries.get('force-app/main/default/classes/A.cls')?.toString()).toBe('public class A {}');
  });
});
