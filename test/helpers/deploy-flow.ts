import { expect } from '@jest/globals';
import type { EmulatorHandle } from '../../src/emulator/emulator.server.js';
import { writeZip } from '../../src/common/zip.js';
import { waitForJob, type Harness } from './backtrack.harness.js';

export const PROJECT_JSON = '{"packageDirectories":[{"path":"force-app","default":true}],"sourceApiVersion":"60.0"}';

/** A zip of `path → content` (text as UTF-8). */
export function zipOf(files: Record<string, string | Buffer>): Promise<Buffer> {
  return writeZip(
    Object.entries(files).map(([path, content]) => ({
      path,
      content: Buffer.isBuffer(content) ? content : Buffer.from(content),
    })),
  );
}

/** A source-format project zip from `path → content` (sfdx-project.json added when missing). */
export function projectZip(files: Record<string, string | Buffer>): Promise<Buffer> {
  return zipOf({ 'sfdx-project.json': PROJECT_JSON, ...files });
}

export const CLASS_META =
  '<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">\n    <apiVersion>60.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n';

/** An Apex class whose `version()` answers `version`. */
export const classSource = (name: string, version: string): string =>
  `public with sharing class ${name} {\n    public static String version() { return '${version}'; }\n}\n`;

/** A source-format project holding these Apex classes, each answering `version()` with its value. */
export function classesZip(classes: Record<string, string>): Promise<Buffer> {
  const files: Record<string, string> = {};
  for (const [name, version] of Object.entries(classes)) {
    files[`force-app/main/default/classes/${name}.cls`] = classSource(name, version);
    files[`force-app/main/default/classes/${name}.cls-meta.xml`] = CLASS_META;
  }
  return projectZip(files);
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

/** Uploads a zip as the branch's next revision; returns the revision. */
export async function upload(h: Harness, branchId: string, zip: Buffer): Promise<any> {
  const res = await h.api('POST', `/api/branches/${branchId}/revisions`, { body: zip });
  if (res.status !== 201) throw new Error(`upload refused: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Starts a deploy of the branch's latest revision (with options such as `checkOnly`) and waits for it to finish. */
export async function deployAndWait(
  h: Harness,
  branchId: string,
  orgId: string,
  options: Record<string, unknown> = {},
): Promise<any> {
  const start = await h.api('POST', `/api/branches/${branchId}/deployments`, { body: { orgId, ...options } });
  if (start.status !== 202) throw new Error(`deploy refused: ${start.status} ${JSON.stringify(start.body)}`);
  return waitForJob(h, start.body.id, 120_000);
}

/** Deploys the branch's latest revision and expects it Completed without an error; returns the job's id. */
export async function deployCompleted(
  h: Harness,
  branchId: string,
  orgId: string,
  options: Record<string, unknown> = {},
): Promise<string> {
  const job = await deployAndWait(h, branchId, orgId, options);
  expect(job.error ?? null).toBeNull();
  expect(job.status).toBe('Completed');
  return job.id;
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
