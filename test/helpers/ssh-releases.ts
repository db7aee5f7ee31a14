// Packages, releases and host checks for the SSH tests: packages are real .tar.gz files made with tar, hosts are real
// Debian sshd servers (test/helpers/sshd.ts), each seeing its own folder at HOSTS_ROOT.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Harness } from './backtrack.harness.js';
import { finished } from './executions.js';

/** A .tar.gz of these files (a string, or content with a mode for scripts), made by GNU tar. */
export function tarGz(files: Record<string, string | { content: string | Buffer; mode: number }>): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-pkg-'));
  try {
    for (const [name, file] of Object.entries(files)) {
      const target = path.join(dir, name);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      if (typeof file === 'string') fs.writeFileSync(target, file);
      else fs.writeFileSync(target, file.content, { mode: file.mode });
    }
    return execFileSync('tar', ['-czf', '-', '-C', dir, '.'], { maxBuffer: 1024 * 1024 * 1024 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A web app release: index.html naming the version, and check.sh that passes unless `broken`. */
export function appPackage(version: string, options: { broken?: boolean; extra?: Record<string, string> } = {}) {
  return tarGz({
    'index.html': `<h1>web ${version}</h1>\n`,
    'status.txt': options.broken ? 'broken\n' : 'healthy\n',
    'check.sh': {
      content: '#!/bin/sh\ngrep -q healthy status.txt || { echo "status: $(cat status.txt)" >&2; exit 3; }\n',
      mode: 0o755,
    },
    ...options.extra,
  });
}

/** Every step appends a line to `<installDir>/events.log` on its host: what ran, where, with which variables. */
export const EVENT_STEPS = [
  {
    name: 'migrate',
    phase: 'preDeploy',
    run: 'echo "migrate $BACKTRACK_RELEASE" >> ../../events.log',
    skipOnRollback: true,
  },
  {
    name: 'start',
    phase: 'deploy',
    run:
      'echo "start $BACKTRACK_RELEASE rollback=$BACKTRACK_ROLLBACK current=$BACKTRACK_RELEASE_CURRENT_FOR_ENVIRONMENT ' +
      'previous=$BACKTRACK_RELEASE_PREVIOUS_FOR_ENVIRONMENT path=$BACKTRACK_PREVIOUS_INSTALLATION_PATH ' +
      'pv=$BACKTRACK_PREVIOUS_PACKAGE_VERSION id=$BACKTRACK_PREVIOUS_SUCCESSFUL_DEPLOYMENT_ID" >> ../../events.log',
  },
  {
    name: 'flush',
    phase: 'postDeploy',
    run: 'echo "flush $BACKTRACK_RELEASE" >> ../../events.log',
    rollbackOnly: true,
  },
];

export async function uploadPackage(h: Harness, name: string, version: string, bytes: Buffer) {
  const res = await h.api('POST', `/api/packages/${name}/versions/${version}`, {
    body: bytes,
    headers: { 'content-type': 'application/gzip' },
  });
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`package not stored: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function createRelease(h: Harness, pipelineId: string, version: string, packages: Record<string, string>) {
  const res = await h.api('POST', `/api/pipelines/${pipelineId}/releases`, { body: { version, packages } });
  if (res.status !== 201) throw new Error(`release not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** Deploys a release to an environment (201 expected) and waits until the execution finished. */
export async function deployRelease(
  h: Harness,
  releaseId: string,
  environment: string,
  mode: 'deploy' | 'rollback' = 'deploy',
): Promise<any> {
  const res = await h.api('POST', `/api/releases/${releaseId}/deployments`, { body: { environment, mode } });
  if (res.status !== 201) throw new Error(`deployment refused: ${res.status} ${JSON.stringify(res.body)}`);
  return finished(h, res.body.id as string, 120_000);
}

/** What a host's folder holds, read from the test's side of its mount. */
export class HostView {
  constructor(
    /** The folder the host sees at `mountedAt`. */
    readonly root: string,
    readonly mountedAt: string,
  ) {}

  private local(hostPath: string): string {
    if (!hostPath.startsWith(this.mountedAt)) throw new Error(`${hostPath} is not under ${this.mountedAt}`);
    return path.join(this.root, hostPath.slice(this.mountedAt.length));
  }

  /** The release folder `current` points at (its name), or null. */
  current(installDir: string): string | null {
    try {
      return path.basename(fs.readlinkSync(this.local(`${installDir}/current`)));
    } catch {
      return null;
    }
  }

  releases(installDir: string): string[] {
    const dir = this.local(`${installDir}/releases`);
    return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  }

  events(installDir: string): string[] {
    const file = this.local(`${installDir}/events.log`);
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
  }

  journal(installDir: string): { entries: any[] } {
    return JSON.parse(fs.readFileSync(this.local(`${installDir}/.backtrack/journal.json`), 'utf8'));
  }

  file(hostPath: string): string {
    return this.local(hostPath);
  }
}
