import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { maskSecrets } from '../../common/text.js';
import type { KubernetesConnection } from '../infrastructures/infrastructure-connection.js';
import { clientNode } from '../kubernetes/client-node.js';
import { kubeConfigFor } from '../kubernetes/kube-config.js';
import { StageFailed } from '../provider.js';
import { parseHistory } from './helm-history.js';
import type { HelmRevision } from './helm-records.js';

/** Environment variables passed through to helm when set (a proxy in front of the cluster); nothing else is. */
const PASSED_THROUGH = ['PATH', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy'];

/** A helm command that exited non-zero: its exit code and its `Error:` sentence (secrets masked). */
export class HelmCommandError extends Error {
  override readonly name = 'HelmCommandError';
  constructor(
    readonly exitCode: number | null,
    message: string,
  ) {
    super(message);
  }
}

export interface HelmCliOptions {
  /** The helm binary (HELM_BIN). */
  bin: string;
  connection: KubernetesConnection;
  /** Values no error message may show (the pipeline's secret variables); the connection's token is always masked. */
  secrets?: readonly string[];
}

/**
 * The one place Backtrack runs the `helm` binary (ADR 0016). Each call gets a private folder (mode 0700, removed
 * afterwards) holding the kubeconfig (mode 0600: a token never goes on the command line, where `ps` shows it), the
 * chart and values files, and helm's own cache, config and data homes; the child's environment is only those paths,
 * PATH and proxy settings. No call waits for a rollout (`--wait` is never passed): helm writes the release and
 * returns within seconds, and readiness is read through the Kubernetes API. A started call is not killed when the
 * job is aborted: stopping helm half-way is what leaves a release stuck in pending-*.
 */
export class HelmCli {
  private readonly secrets: string[];

  constructor(private readonly options: HelmCliOptions) {
    const token = 'token' in options.connection ? [options.connection.token] : [];
    this.secrets = [...token, ...(options.secrets ?? [])];
  }

  /** The release's revisions, oldest first; [] when the release does not exist. */
  async history(release: string, namespace: string): Promise<HelmRevision[]> {
    try {
      const out = await this.run(['history', release, '--namespace', namespace, '-o', 'json'], {}, 60);
      return parseHistory(out);
    } catch (error) {
      if (error instanceof HelmCommandError && /release: not found/.test(error.message)) return [];
      throw error;
    }
  }

  /** `helm upgrade --install` of a packaged chart with a values file and Backtrack's description; returns stdout. */
  upgradeInstall(args: {
    release: string;
    namespace: string;
    chart: Buffer;
    values: Record<string, unknown>;
    description: string;
    timeoutSeconds: number;
  }): Promise<string> {
    return this.run(
      [
        'upgrade',
        '--install',
        args.release,
        '{dir}/chart.tgz',
        '--namespace',
        args.namespace,
        '--values',
        '{dir}/values.json',
        '--description',
        args.description,
        '--timeout',
        `${args.timeoutSeconds}s`,
      ],
      { 'chart.tgz': args.chart, 'values.json': JSON.stringify(args.values) },
      args.timeoutSeconds,
    );
  }

  /** `helm rollback <release> <revision>` (`wait`: with --wait, for the bench's bare script only). */
  rollback(
    release: string,
    namespace: string,
    revision: number,
    timeoutSeconds: number,
    wait = false,
  ): Promise<string> {
    return this.run(
      [
        'rollback',
        release,
        String(revision),
        '--namespace',
        namespace,
        '--timeout',
        `${timeoutSeconds}s`,
        ...(wait ? ['--wait'] : []),
      ],
      {},
      timeoutSeconds,
    );
  }

  uninstall(release: string, namespace: string, timeoutSeconds: number): Promise<string> {
    return this.run(
      ['uninstall', release, '--namespace', namespace, '--timeout', `${timeoutSeconds}s`],
      {},
      timeoutSeconds,
    );
  }

  /** The rendered manifest of one revision. */
  manifest(release: string, namespace: string, revision: number): Promise<string> {
    return this.run(['get', 'manifest', release, '--namespace', namespace, '--revision', String(revision)], {}, 60);
  }

  /** Runs helm with `{dir}` in its arguments standing for the call's private folder. */
  private async run(args: string[], files: Record<string, Buffer | string>, timeoutSeconds: number): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'backtrack-helm-'));
    try {
      const kubeconfig = path.join(dir, 'kubeconfig');
      const connection = this.options.connection;
      const contextArgs: string[] = [];
      if ('kubeconfig' in connection) {
        await writeFile(kubeconfig, connection.kubeconfig, { mode: 0o600 });
        if (connection.context) contextArgs.push('--kube-context', connection.context);
      } else {
        await clientNode.load();
        await writeFile(kubeconfig, kubeConfigFor(connection).exportConfig(), { mode: 0o600 });
      }
      for (const [name, content] of Object.entries(files))
        await writeFile(path.join(dir, name), content, { mode: 0o600 });
      const env: Record<string, string> = {
        HOME: dir,
        KUBECONFIG: kubeconfig,
        HELM_DRIVER: 'secret',
        HELM_CACHE_HOME: path.join(dir, 'cache'),
        HELM_CONFIG_HOME: path.join(dir, 'config'),
        HELM_DATA_HOME: path.join(dir, 'data'),
      };
      for (const name of PASSED_THROUGH) if (process.env[name]) env[name] = process.env[name];
      const argv = [...args.map((a) => a.replaceAll('{dir}', dir)), ...contextArgs];
      return await new Promise<string>((resolve, reject) => {
        execFile(
          this.options.bin,
          argv,
          { cwd: dir, env, timeout: (timeoutSeconds + 30) * 1_000, maxBuffer: 32 * 1024 * 1024 },
          (error, stdout, stderr) => {
            if (!error) return resolve(stdout);
            if ((error as NodeJS.ErrnoException).code === 'ENOENT')
              return reject(
                new StageFailed(
                  `The helm binary "${this.options.bin}" was not found: install helm or set HELM_BIN to its path.`,
                ),
              );
            const code = typeof error.code === 'number' ? error.code : null;
            const said =
              errorSentence(stderr) ?? (error.killed ? `stopped after ${timeoutSeconds + 30}s` : error.message);
            reject(new HelmCommandError(code, maskSecrets(said, this.secrets).replaceAll(dir, '<tmp>')));
          },
        );
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** helm's own sentence: its `Error:` line(s), at most 500 characters. */
export function errorSentence(stderr: string): string | null {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('Error:'));
  const text = (lines.length ? lines.join(' ') : stderr.trim()).replace(/^Error:\s*/, '');
  if (!text) return null;
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}
