import { describe, it, afterAll, expect } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createUploadWorkspace,
  isStaleWorkspace,
  STALE_AFTER_MS,
  sweepStaleUploadWorkspaces,
  UNOWNED_STALE_AFTER_MS,
  workspaceOwner,
} from './upload-workspace.js';

const alive = (pids: number[]) => (pid: number) => pids.includes(pid);

describe('isStaleWorkspace', () => {
  it('keeps the folders of this process and of live processes', () => {
    expect(isStaleWorkspace('backtrack-upload-10-abc', 1000, alive([]), 10)).toBe(false);
    expect(isStaleWorkspace('backtrack-upload-11-abc', 1000, alive([11]), 10)).toBe(false);
  });
  it('sweeps the folder of a process that is gone, however young', () => {
    expect(isStaleWorkspace('backtrack-upload-11-abc', 10, alive([]), 10)).toBe(true);
  });
  it('sweeps any folder older than a day, and unowned ones older than an hour', () => {
    expect(isStaleWorkspace('backtrack-upload-11-abc', STALE_AFTER_MS + 1, alive([11]), 10)).toBe(true);
    expect(isStaleWorkspace('backtrack-upload-Xy12ab', UNOWNED_STALE_AFTER_MS + 1, alive([]), 10)).toBe(true);
    expect(isStaleWorkspace('backtrack-upload-Xy12ab', 1000, alive([]), 10)).toBe(false);
  });
  it('leaves other folders alone', () => {
    expect(isStaleWorkspace('backtrack-test-1-abc', STALE_AFTER_MS * 2, alive([]), 10)).toBe(false);
  });
});

describe('sweepStaleUploadWorkspaces', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sweep-spec-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('removes the folders of gone processes with their files, and keeps its own', async () => {
    const mine = await createUploadWorkspace(root);
    expect(workspaceOwner(path.basename(mine))).toBe(process.pid);
    const orphan = path.join(root, 'backtrack-upload-999999-orphan');
    fs.mkdirSync(path.join(orphan, 'force-app'), { recursive: true });
    fs.writeFileSync(path.join(orphan, 'force-app', 'big.cls'), 'x'.repeat(1000));
    const removed = await sweepStaleUploadWorkspaces(root, () => false);
    expect(removed).toEqual(['backtrack-upload-999999-orphan']);
    expect(fs.existsSync(orphan)).toBe(false);
    expect(fs.existsSync(mine)).toBe(true);
  });
});
