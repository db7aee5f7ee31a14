import { expect } from '@jest/globals';
import type { EmulatorHandle } from '../../src/emulator/emulator.server.js';
import { writeZip } from '../../src/common/zip.js';
import { waitForJob, type Harness } from './backtrack.harness.js';

export const PROJECT_JSON = '{"packageDirectories":[{"path":"force-app","default":true}],"sourceApiVersion":"60.0"}';

/** A source-format project zip from `path → content` (sfdx-project.json added when missing). */
export function projectZip(files: Record<string, string | Buffer>): Promise<Buffer> {
  const all: Record<string, string | Buffer> = { 'sfdx-project.json': PROJECT_JSON, ...files };
  return writeZip(
    Object.entries(all).map(([path, content]) => ({
      path,
      content: Buffer.isBuffer(content) ? content : Buffer.from(content),
    })),
  );
}

/** The demo org's id in Backtrack (the embedded emulator's default org). */
export async function demoOrgId(h: Harness): Promise<string> {
  return (await h.api('GET', '/api/orgs')).body.items.find((o: { name: string }) => o.name === 'Local Sandbox').id;
}

export async function newBranch(h: Harness, name: string): Promise<string> {
  const res = await h.api('POST', '/api/branches', { body: { name } });
  expect(res.status).toBe(201);
  return res.body.id;
}

export async function upload(h: Harness, branchId: string, zip: Buffer): Promise<void> {
  const res = await h.api('POST', `/api/branches/${branchId}/revisions`, { body: zip });
  if (res.status !== 201) throw new Error(`upload refused: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Starts a deploy of the branch's latest revision and waits for it to finish. */
export async function deployAndWait(h: Harness, branchId: string, orgId: string): Promise<any> {
  const start = await h.api('POST', `/api/branches/${branchId}/deployments`, { body: { orgId } });
  if (start.status !== 202) throw new Error(`deploy refused: ${start.status} ${JSON.stringify(start.body)}`);
  return waitForJob(h, start.body.id, 120_000);
}

export async function rollbackAndWait(h: Harness, deployId: string, body: unknown): Promise<any> {
  const res = await h.api('POST', `/api/jobs/${deployId}/rollback`, { body });
  if (res.status !== 202) throw new Error(`rollback refused: ${res.status} ${JSON.stringify(res.body)}`);
  return waitForJob(h, res.body.id, 120_000);
}

/** The job's error and its error log lines, for assertion messages. */
export async function jobStory(h: Harness, jobId: string): Promise<string> {
  const job = (await h.api('GET', `/api/jobs/${jobId}`)).body;
  const logs = (await h.api('GET', `/api/jobs/${jobId}/logs`)).body;
  const lines = (logs.items ?? [])
    .filter((l: any) => l.level !== 'info')
    .map((l: any) => `${l.component ?? ''} ${l.message}`);
  return [`${job.status}: ${job.error ?? ''}`, ...lines].join('\n');
}

/**
 * Every file the org stores, byte for byte: `Type:FullName|path` → content (the emulator's admin API; what a
 * retrieve returns is built from these).
 */
export function orgFiles(emulator: EmulatorHandle, orgId = emulator.defaultOrg.id): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const c of emulator.admin.listComponents(orgId)) {
    const files = emulator.admin.getComponent(orgId, c.type, c.fullName)!.files;
    for (const [path, content] of Object.entries(files)) out.set(`${c.type}:${c.fullName}|${path}`, content);
  }
  return out;
}

/** The keys (`Type:FullName|path`) whose bytes differ between two org file maps, or that only one holds. */
export function differingFiles(a: Map<string, Buffer>, b: Map<string, Buffer>): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => !(a.has(k) && b.has(k) && a.get(k)!.equals(b.get(k)!))).sort();
}

/**
 * The rollback candidate (`Type:FullName`) an org file belongs to. Backtrack offers the labels file as one component
 * (`CustomLabels:CustomLabels`, as SDR resolves it); the org stores each `CustomLabel` on its own.
 */
export function candidateOf(fileKey: string): string {
  const component = fileKey.slice(0, fileKey.indexOf('|'));
  return component.startsWith('CustomLabel:') ? 'CustomLabels:CustomLabels' : component;
}

/** The rollback candidates (`Type:FullName`) those differing files belong to. */
export function componentsOf(fileKeys: string[]): string[] {
  return [...new Set(fileKeys.map(candidateOf))].sort();
}
