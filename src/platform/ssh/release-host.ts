import path from 'node:path/posix';
import type { PackageBytes } from '../packages/package-source.js';
import { StageFailed, type StageLogLevel } from '../provider.js';
import { formatJournal, parseJournal, JournalUnreadable, type Journal } from './journal.js';
import { shellQuote } from './ssh-client.js';
import type { SshSession } from './ssh-client.js';
import type { SshStep, SshVerify } from './ssh-spec.js';

export interface ReleaseHostOptions {
  installDir: string;
  commandTimeoutMs: number;
  log(level: StageLogLevel, message: string): void;
  /** Removes secrets from a line before it is logged or shown. */
  mask(text: string): string;
  signal: AbortSignal;
}

/**
 * One host's release layout, through one SSH session (docs/ssh-releases.md):
 * `<installDir>/releases/<folder>/` (the extracted releases), `<installDir>/current` (a symlink to the live one) and
 * `<installDir>/.backtrack/` (journal.json, manifests/<folder>.sha256, packages/ while a package is being staged).
 * Every method is safe to call again after an interruption: it converges on the same result.
 */
export class ReleaseHost {
  readonly releasesDir: string;
  private readonly current: string;
  private readonly meta: string;

  constructor(
    readonly session: SshSession,
    private readonly options: ReleaseHostOptions,
  ) {
    this.releasesDir = `${options.installDir}/releases`;
    this.current = `${options.installDir}/current`;
    this.meta = `${options.installDir}/.backtrack`;
  }

  /** `host:port`, as log lines and outputs name the host. */
  get name(): string {
    return `${this.session.host.host}:${this.session.host.port}`;
  }

  async readJournal(): Promise<Journal> {
    const bytes = await this.session.readFile(`${this.meta}/journal.json`);
    try {
      return parseJournal(bytes === null ? null : bytes.toString('utf8'));
    } catch (error) {
      if (error instanceof JournalUnreadable)
        throw new StageFailed(
          `The deployment journal on ${this.name} (${this.meta}/journal.json) cannot be read: ${error.message}. Fix or remove it; nothing was changed.`,
        );
      throw error;
    }
  }

  async writeJournal(journal: Journal): Promise<void> {
    await this.sh(`mkdir -p ${shellQuote(this.meta)}`);
    await this.session.writeFile(`${this.meta}/journal.json`, formatJournal(journal));
  }

  /** The folder `current` points at (absolute), or null when there is none. */
  async live(): Promise<string | null> {
    const out = await this.sh(`readlink ${shellQuote(this.current)} || true`);
    const target = out.trim();
    if (!target) return null;
    return target.startsWith('/') ? target : path.join(this.options.installDir, target);
  }

  /** The release folders that exist (absolute), half-staged ones included. */
  async folders(): Promise<string[]> {
    const out = await this.sh(
      `if [ -d ${shellQuote(this.releasesDir)} ]; then cd ${shellQuote(this.releasesDir)} && for f in * .[!.]*; do [ -d "$f" ] && printf '%s\\n' "$f"; done; fi; true`,
    );
    return out
      .split('\n')
      .filter(Boolean)
      .map((f) => `${this.releasesDir}/${f}`);
  }

  /**
   * Whether a folder still holds what went live: it exists, its manifest is the one the journal recorded
   * (`filesChecksum`) and every file the manifest lists has its checksum. Files added later (logs) do not matter.
   */
  async intact(folder: string, filesChecksum: string | null): Promise<{ intact: boolean; why: string }> {
    if (!filesChecksum) return { intact: false, why: 'it never went live' };
    const manifest = this.manifestOf(folder);
    const result = await this.session.exec(
      `cd ${shellQuote(folder)} 2>/dev/null || { echo missing; exit 0; }; ` +
        `[ -f ${shellQuote(manifest)} ] || { echo nomanifest; exit 0; }; ` +
        `sum=$(sha256sum < ${shellQuote(manifest)} | cut -d' ' -f1); [ "$sum" = ${shellQuote(filesChecksum)} ] || { echo manifestchanged; exit 0; }; ` +
        `if [ -s ${shellQuote(manifest)} ]; then sha256sum --quiet --strict -c ${shellQuote(manifest)} >/dev/null 2>&1 || { echo fileschanged; exit 0; }; fi; echo intact`,
      { timeoutMs: this.options.commandTimeoutMs, signal: this.options.signal },
    );
    const word = result.stdout.trim().split('\n').pop();
    if (result.exitCode !== 0 || !word) throw this.failure('checking a release folder', result);
    const why: Record<string, string> = {
      missing: 'its folder is gone',
      nomanifest: 'its manifest is gone',
      manifestchanged: 'its manifest changed',
      fileschanged: 'files in it changed since it went live',
      intact: 'intact',
    };
    return { intact: word === 'intact', why: why[word] ?? word };
  }

  /**
   * Sends the package, checks its SHA-256 on the host, extracts it into `<folder>.partial` and renames that to
   * `folder` (so a folder that exists is whole). Returns the bytes sent.
   */
  async stage(pkg: PackageBytes, folder: string): Promise<number> {
    const packages = `${this.meta}/packages`;
    const file = `${packages}/${pkg.sha256}.${pkg.format}`;
    const partial = `${folder}.partial`;
    await this.sh(
      `mkdir -p ${shellQuote(packages)} ${shellQuote(this.releasesDir)} && rm -rf ${shellQuote(partial)} ${shellQuote(folder)}`,
    );
    const sent = await this.session.upload(pkg.content, file, { signal: this.options.signal });
    const sum = (await this.sh(`sha256sum ${shellQuote(file)} | cut -d' ' -f1`)).trim();
    if (sum !== pkg.sha256) {
      await this.sh(`rm -f ${shellQuote(file)}`);
      throw new StageFailed(
        `The package arrived damaged on ${this.name}: its SHA-256 there is ${sum || 'unknown'}, not ${pkg.sha256}. Nothing was extracted.`,
      );
    }
    const extract =
      pkg.format === 'zip'
        ? `command -v unzip >/dev/null || { echo "no unzip on this host: install it, or upload the package as .tar.gz" >&2; exit 127; }; unzip -q ${shellQuote(file)} -d ${shellQuote(partial)}`
        : `tar -xzf ${shellQuote(file)} -C ${shellQuote(partial)} --no-same-owner`;
    await this.sh(
      `mkdir -p ${shellQuote(partial)} && ${extract} && mv ${shellQuote(partial)} ${shellQuote(folder)} && rm -f ${shellQuote(file)}`,
      'extracting the package',
    );
    return sent;
  }

  /** Runs one step in `cwd`; its output goes to the stage log line by line. A non-zero exit or a timeout fails. */
  async runStep(step: SshStep, cwd: string, env: Record<string, string>): Promise<void> {
    this.options.log('info', `[${this.name}] step "${step.name}" (${step.phase}) in ${cwd}`);
    const result = await this.session.exec(`cd ${shellQuote(cwd)} && ${step.run}`, {
      env,
      timeoutMs: this.options.commandTimeoutMs,
      signal: this.options.signal,
      onLine: (stream, line) =>
        this.options.log(stream === 'stderr' ? 'warn' : 'info', `[${this.name}] ${this.options.mask(line)}`),
    });
    if (result.exitCode !== 0) throw this.failure(`step "${step.name}"`, result);
    this.options.log('info', `[${this.name}] step "${step.name}" exited 0`);
  }

  /** The stage's check, before `current` moves: a script (exit 0) or an HTTP GET made from the host. */
  async verify(verify: SshVerify, cwd: string, env: Record<string, string>): Promise<void> {
    if ('run' in verify) {
      await this.runStep(
        { name: 'verify', phase: 'postDeploy', run: verify.run, skipOnRollback: false, rollbackOnly: false },
        cwd,
        env,
      ).catch((error: unknown) => {
        throw new StageFailed(
          `Verification failed on ${this.name}: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
      return;
    }
    const { url, expectStatus, timeoutSeconds } = verify.http;
    let status: number;
    try {
      ({ status } = await this.session.httpGet(url, { timeoutMs: timeoutSeconds * 1000, signal: this.options.signal }));
    } catch (error) {
      throw new StageFailed(
        `Verification failed on ${this.name}: GET ${url} from the host failed (${error instanceof Error ? error.message : String(error)}).`,
      );
    }
    if (status !== expectStatus)
      throw new StageFailed(
        `Verification failed on ${this.name}: GET ${url} answered ${status}, expected ${expectStatus}.`,
      );
    this.options.log('info', `[${this.name}] verified: GET ${url} answered ${status}`);
  }

  /** Writes the folder's manifest (`sha256sum` of every file in it, sorted) and returns the manifest's own SHA-256. */
  async sealManifest(folder: string): Promise<string> {
    const manifest = this.manifestOf(folder);
    const out = await this.sh(
      `mkdir -p ${shellQuote(path.dirname(manifest))} && cd ${shellQuote(folder)} && ` +
        `find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum > ${shellQuote(`${manifest}.tmp`)} && ` +
        `mv ${shellQuote(`${manifest}.tmp`)} ${shellQuote(manifest)} && sha256sum < ${shellQuote(manifest)} | cut -d' ' -f1`,
      'recording the release manifest',
    );
    return out.trim();
  }

  /** Points `current` at `folder` in one rename (a symlink made beside it, then moved over it). */
  async switchTo(folder: string): Promise<void> {
    const next = `${this.current}.next`;
    await this.sh(
      `ln -sfn ${shellQuote(folder)} ${shellQuote(next)} && mv -Tf ${shellQuote(next)} ${shellQuote(this.current)}`,
      'switching current',
    );
  }

  /** Removes `current` (the rollback of a first deployment). */
  async removeCurrent(): Promise<void> {
    await this.sh(`rm -f ${shellQuote(this.current)}`);
  }

  /** Deletes release folders and their manifests. */
  async remove(folders: string[]): Promise<void> {
    if (!folders.length) return;
    const args = folders.flatMap((f) => [shellQuote(f), shellQuote(`${f}.partial`), shellQuote(this.manifestOf(f))]);
    await this.sh(`rm -rf ${args.join(' ')}`, 'removing old releases');
  }

  private manifestOf(folder: string): string {
    return `${this.meta}/manifests/${path.basename(folder)}.sha256`;
  }

  /** A command of Backtrack's own: its stdout, or a StageFailed naming what it was doing. */
  private async sh(command: string, doing = 'a command'): Promise<string> {
    const result = await this.session.exec(command, {
      timeoutMs: this.options.commandTimeoutMs,
      signal: this.options.signal,
    });
    if (result.exitCode !== 0) throw this.failure(doing, result);
    return result.stdout;
  }

  private failure(
    doing: string,
    result: { exitCode: number | null; signal: string | null; stderr: string; timedOut: boolean },
  ): StageFailed {
    if (this.options.signal.aborted) return new StageFailed(`Stopped on ${this.name} while ${doing}.`);
    const last = this.options.mask(result.stderr.trim().split('\n').pop() ?? '');
    const how = result.timedOut
      ? `did not finish within ${this.options.commandTimeoutMs / 1000} s (commandTimeoutSeconds) and was stopped`
      : result.exitCode === null
        ? `ended without an exit status${result.signal ? ` (signal ${result.signal})` : ''}`
        : `exited ${result.exitCode}`;
    return new StageFailed(`On ${this.name}, ${doing} ${how}${last ? `: ${last}` : ''}.`);
  }
}
