import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { ObjectStore } from './object-store.js';
import { CONFIG_MAPS } from './resource-types.js';
import { loadStateFile, persistStore } from './state-file.js';

const quiet = { error: () => undefined };

describe('the emulator state file', () => {
  test('what a store held comes back in a new store, resourceVersions and all', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-state-')), 'nested', 'state.json');
    const store = new ObjectStore(() => new Date());
    const persisted = persistStore(file, store);
    const created = store.create(CONFIG_MAPS, { metadata: { name: 'cfg', namespace: 'default' }, data: { a: ' 1\n' } });
    persisted.close();

    const again = new ObjectStore(() => new Date());
    expect(loadStateFile(file, again, quiet)).toBe(true);
    expect(again.get(CONFIG_MAPS, 'default', 'cfg')).toEqual(created);
    expect(again.resourceVersion()).toBe(store.resourceVersion());
  });

  test('no file: nothing loaded; an unreadable file is moved aside and the store starts empty', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-state-'));
    const file = path.join(dir, 'state.json');
    const store = new ObjectStore(() => new Date());
    expect(loadStateFile(file, store, quiet)).toBe(false);
    fs.writeFileSync(file, '{not json');
    expect(loadStateFile(file, store, quiet)).toBe(false);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readdirSync(dir).some((f) => f.startsWith('state.json.unreadable-'))).toBe(true);
    expect(store.list(CONFIG_MAPS)).toEqual([]);
  });
});
