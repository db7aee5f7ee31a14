import { mapWithConcurrency } from '../../common/concurrency.js';
import { maskSecrets } from '../../common/text.js';
import {
  pinnedVersion,
  StageFailed,
  type InstanceView,
  type PlatformProvider,
  type RecordedStage,
  type StageContext,
  type StageHealth,
} from '../provider.js';
import type { PackageBytes, PackageSource } from '../packages/package-source.js';
import {
  installedEntry,
  markRemoved,
  recordEntry,
  retentionPlan,
  stagingFolder,
  successfulFolders,
  type Journal,
  type JournalEntry,
} from './journal.js';
import { ReleaseHost } from './release-host.js';
import { openSshSession, SshHostKeyMismatch, SshUnreachable } from './ssh-client.js';
import { parseSshConnection, type SshConnection, type SshHost } from './ssh-connection.js';
import {
  releaseEnvironment,
  rollbackTarget,
  type HostOutcome,
  type HostOutput,
  type HostRelease,
  type ReleaseVariables,
  type SshData,
  type SshOutputs,
} from './ssh-records.js';
import { parseSshSpec, stepsFor, type RunMode, type SshSpec } from './ssh-spec.js';

type Recorded = RecordedStage<SshSpec, SshData, SshOutputs>;

export interface SshProviderOptions {
  packages: PackageSource;
  /** Successful releases each host keeps (RETAIN_RELEASES). */
  retainReleases: number;
  /** Hosts worked on at once (default 8). */
  concurrency?: number;
}

/** What one install on a host needs: the release, its package, how it runs, and the variables its steps see. */
interface Install {
  release: string;
  packageName: string;
  packageVersion: string;
  checksum: string;
  mode: Exclude<RunMode, 'switch-back'>;
  skipIfAlreadyInstalled: boolean;
  variables: Omit<ReleaseVariables, 'folder' | 'previousInstallationPath' | 'previousPackageVersion' | 'rollback'>;
}

const RELEASE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

/**
 * The `ssh` platform provider (issue 14, docs/ssh-releases.md): a release's package on every host of the
 * infrastructure, Octopus-style. Deploy stages the release beside the live one on every host (upload, checksum on the
 * host, extract, scripts, verification) and only when every host passed switches `current` on each, then keeps the
 * `RETAIN_RELEASES` newest successful folders. Rollback switches `current` back to the folder the execution left when
 * the journal shows it intact, and redeploys the previous package forward where it is gone. Every step is recorded in
 * the stage state before the next one, so a resumed call never extracts, switches or journals twice.
 */
export class SshProvider implements PlatformProvider<SshSpec, SshData, SshOutputs> {
  readonly kind = 'ssh' as const;
  private readonly concurrency: number;

  constructor(private readonly options: SshProviderOptions) {
    this.concurrency = options.concurrency ?? 8;
  }

  parseSpec(spec: unknown): SshSpec {
    return parseSshSpec(spec);
  }

  artifactOf(): string | null {
    return null;
  }

  /** Per host: the release `current` points at and its journal entry (read-only; the host keys are checked here). */
  async capture(ctx: StageContext, spec: SshSpec): Promise<SshData> {
    this.releaseOf(ctx, spec);
    const connection = await this.connectionOf(ctx);
    const hosts: SshData['hosts'] = {};
    await this.eachHost(ctx, spec, connection, async (host) => {
      const live = await host.live();
      const entry = live ? successfulFolders(await host.readJournal()).find((e) => e.path === live) : undefined;
      hosts[host.name] = { live: entry ? hostRelease(entry) : null };
      ctx.log(
        'info',
        `[${host.name}] live now: ${entry ? `release ${entry.release}` : live ? `${live} (not in the journal)` : 'nothing'}`,
      );
    });
    return { hosts };
  }

  isFirstDeployment(data: SshData): boolean {
    return Object.values(data.hosts).every((h) => !h.live);
  }

  describeRollbackTarget(data: SshData): string | null {
    const releases = [...new Set(Object.values(data.hosts).map((h) => h.live?.release ?? null))];
    if (releases.every((r) => r === null)) return 'nothing (first deployment: current is removed)';
    return releases.map((r) => (r === null ? 'nothing' : `release ${r}`)).join(' / ');
  }

  async deploy(ctx: StageContext, spec: SshSpec, data: SshData): Promise<SshOutputs> {
    const release = this.releaseOf(ctx, spec);
    const pinned = pinnedVersion(release, spec.package)!;
    const install: Install = {
      release: release.version,
      packageName: spec.package,
      packageVersion: pinned.version,
      checksum: pinned.sha256,
      mode: release.mode,
      skipIfAlreadyInstalled: spec.skipIfAlreadyInstalled,
      variables: {
        release: release.version,
        packageName: spec.package,
        packageVersion: pinned.version,
        environment: ctx.target.environment,
        previousSuccessfulDeploymentId: release.environment.previousSuccessfulDeploymentId,
        previousForEnvironment: release.environment.previousRelease,
        currentForEnvironment: release.environment.currentRelease,
      },
    };
    const connection = await this.connectionOf(ctx);
    const bytes = this.packageLoader(spec.package, pinned.version);
    // Every host is staged and verified before any switches: a failure leaves the previous release live everywhere.
    await this.eachHost(ctx, spec, connection, (host) =>
      this.stage(ctx, spec, host, install, data.hosts[host.name]?.live ?? null, bytes),
    );
    const hosts = await this.eachHost(ctx, spec, connection, (host) =>
      this.goLive(ctx, host, install, data.hosts[host.name]?.live ?? null),
    );
    return {
      release: release.version,
      package: spec.package,
      packageVersion: pinned.version,
      checksum: pinned.sha256,
      hosts,
    };
  }

  /** Verification ran before `current` moved: a stage that returned is steady. */
  status(): Promise<StageHealth> {
    return Promise.resolve({ steady: true });
  }

  /** Per host: `current` still points where the execution left it, and that folder's files are unchanged. */
  async drift(ctx: StageContext, recorded: Recorded): Promise<string[]> {
    const spec = parseSshSpec(recorded.spec);
    const left = new Map(recorded.outputs.hosts.map((h) => [h.host, h]));
    const found: string[] = [];
    await this.eachHost(ctx, spec, await this.connectionOf(ctx), async (host) => {
      const expected = left.get(host.name);
      if (!expected) return;
      const live = await host.live();
      if (live !== expected.path) {
        found.push(
          `on ${host.name} current points at ${live ?? 'nothing'}, the execution left ${expected.path ?? 'nothing'}`,
        );
        return;
      }
      if (!live) return;
      const entry = successfulFolders(await host.readJournal()).find((e) => e.path === live);
      const check = await host.intact(live, entry?.filesChecksum ?? null);
      if (!check.intact)
        found.push(`on ${host.name} release ${expected.live} is no longer as it went live: ${check.why}`);
    });
    return found;
  }

  /**
   * Puts back what each host ran before the execution: a switch of `current` when the journal shows that folder
   * intact (no extraction, only `rollbackOnly` steps), a redeploy of the previous package where it is gone, and — for
   * a first deployment — `current` and the folder removed.
   */
  async rollback(ctx: StageContext, recorded: Recorded): Promise<SshOutputs> {
    const spec = parseSshSpec(recorded.spec);
    const connection = await this.connectionOf(ctx);
    const leaving = new Map(recorded.outputs.hosts.map((h) => [h.host, h]));
    const hosts = await this.eachHost(ctx, spec, connection, async (host) => {
      const target = rollbackTarget(recorded.data, host.name);
      const left = leaving.get(host.name);
      if (!target) return this.removeFirst(ctx, host, left?.path ?? null);
      const variables: Install['variables'] = {
        release: target.release,
        packageName: target.package,
        packageVersion: target.packageVersion,
        environment: ctx.target.environment,
        previousSuccessfulDeploymentId: target.deploymentId,
        previousForEnvironment: target.release,
        currentForEnvironment: recorded.outputs.release,
      };
      const how = await this.rollbackHow(ctx, host, target);
      if (how === 'switch') return this.switchBack(ctx, spec, host, target, left ?? null, variables);
      const install: Install = {
        release: target.release,
        packageName: target.package,
        packageVersion: target.packageVersion,
        checksum: target.checksum,
        mode: 'rollback',
        skipIfAlreadyInstalled: false,
        variables,
      };
      const from = left?.path ? { path: left.path, packageVersion: left.packageVersion ?? '' } : null;
      await this.stage(ctx, spec, host, install, from, this.packageLoader(target.package, target.packageVersion));
      return this.goLive(ctx, host, install, from);
    });
    const releases = [...new Set(hosts.map((h) => h.live))];
    return {
      release: releases.length === 1 ? (releases[0] ?? null) : null,
      package: spec.package,
      packageVersion: hosts[0]?.packageVersion ?? null,
      checksum: null,
      hosts,
    };
  }

  /** Live: what `current` points at on each host, for the Instances view. */
  async describe(ctx: StageContext, recorded: Recorded): Promise<InstanceView> {
    const spec = parseSshSpec(recorded.spec);
    const expected = new Map(recorded.outputs.hosts.map((h) => [h.host, h.path]));
    let ready = 0;
    await this.eachHost(ctx, spec, await this.connectionOf(ctx), async (host) => {
      if ((await host.live()) === expected.get(host.name)) ready++;
    });
    const release = recorded.outputs.release;
    return {
      artifact: release ? `${recorded.outputs.package}@${recorded.outputs.packageVersion ?? '?'}` : null,
      revision: release,
      ready,
      desired: (await this.connectionOf(ctx)).hosts.length,
    };
  }

  /** Phase 1 on a host: the release folder made ready (sent, checked, extracted, scripts run, verified), not live. */
  private async stage(
    ctx: StageContext,
    spec: SshSpec,
    host: ReleaseHost,
    install: Install,
    previous: { path: string; packageVersion: string } | null,
    bytes: () => Promise<PackageBytes>,
  ): Promise<void> {
    const key = (k: string) => `${host.name} ${k}`;
    if (ctx.state[key('verified')] === true) return;
    let folder = ctx.state[key('folder')] as string | undefined;
    if (!folder) {
      const journal = await host.readJournal();
      const live = await host.live();
      const installed = install.skipIfAlreadyInstalled
        ? installedEntry(journal, install.release, install.checksum)
        : null;
      const check = installed ? await host.intact(installed.path, installed.filesChecksum) : null;
      if (installed && check?.intact) {
        ctx.log(
          'info',
          `[${host.name}] release ${install.release} is already installed intact in ${installed.path}: not sent again, its scripts not run again (skipIfAlreadyInstalled).`,
        );
        await ctx.saveState({ [key('folder')]: installed.path, [key('reused')]: installed.filesChecksum });
        folder = installed.path;
      } else {
        if (installed)
          ctx.log(
            'info',
            `[${host.name}] release ${install.release} was installed in ${installed.path}, but ${check!.why}: installing it again.`,
          );
        const existing = new Set(await host.folders());
        const keep = new Set(
          [live, ...successfulFolders(journal).map((e) => e.path)].filter((p): p is string => !!p && existing.has(p)),
        );
        folder = stagingFolder(host.releasesDir, install.release, keep);
        await ctx.saveState({ [key('folder')]: folder });
      }
    }
    const reused = typeof ctx.state[key('reused')] === 'string';
    const env = this.stepEnvironment(install, folder, previous, install.mode === 'rollback');
    if (!reused) {
      if (ctx.state[key('staged')] !== true) {
        const pkg = await bytes();
        ctx.log(
          'info',
          `[${host.name}] sending ${install.packageName}@${install.packageVersion} (${pkg.content.length} bytes) and extracting it into ${folder}`,
        );
        const sent = await host.stage(pkg, folder);
        await ctx.saveState({ [key('staged')]: true, [key('bytesSent')]: sent });
      }
    }
    const steps = reused
      ? install.mode === 'rollback'
        ? stepsFor(spec.steps, 'switch-back')
        : []
      : stepsFor(spec.steps, install.mode);
    const skipped = spec.steps.filter((s) => !steps.includes(s));
    if (skipped.length && ctx.state[key('stepsDone')] === undefined)
      ctx.log(
        'info',
        `[${host.name}] not run (${install.mode === 'rollback' ? 'a rollback' : 'a deployment'}${reused ? ', already installed' : ''}): ${skipped.map((s) => `"${s.name}"`).join(', ')}`,
      );
    await this.runSteps(ctx, host, steps, folder, env, key('stepsDone'));
    if (spec.verify) {
      try {
        await host.verify(spec.verify, folder, env);
      } catch (error) {
        if (error instanceof StageFailed) await this.journalFailure(ctx, host, install, folder);
        throw error;
      }
    }
    await ctx.saveState({ [key('verified')]: true });
  }

  /** Phase 2 on a host: `current` switched to the staged folder, the journal written, old folders removed. */
  private async goLive(
    ctx: StageContext,
    host: ReleaseHost,
    install: Install,
    previous: { path: string } | null,
  ): Promise<HostOutput> {
    const key = (k: string) => `${host.name} ${k}`;
    const folder = ctx.state[key('folder')] as string;
    const reused = ctx.state[key('reused')];
    const how: HostOutcome =
      typeof reused === 'string' ? 'already installed' : install.mode === 'rollback' ? 'redeployed' : 'installed';
    const done = ctx.state[key('live')] as HostOutput | undefined;
    if (done) return done;
    let filesChecksum =
      (ctx.state[key('filesChecksum')] as string | undefined) ?? (typeof reused === 'string' ? reused : undefined);
    if (!filesChecksum) {
      filesChecksum = await host.sealManifest(folder);
      await ctx.saveState({ [key('filesChecksum')]: filesChecksum });
    }
    const live = await host.live();
    if (live !== folder) {
      await host.switchTo(folder);
      ctx.log(
        'info',
        `[${host.name}] current → ${folder} (release ${install.release}; was ${live ?? previous?.path ?? 'nothing'})`,
      );
    }
    const now = new Date().toISOString();
    let journal = recordEntry(
      await host.readJournal(),
      installEntry(ctx, install, folder, 'Success', filesChecksum, now),
    );
    const plan = retentionPlan(journal, folder, this.options.retainReleases, await host.folders());
    if (plan.remove.length) {
      await host.remove(plan.remove);
      journal = markRemoved(journal, plan.remove, now);
      ctx.log(
        'info',
        `[${host.name}] removed (RETAIN_RELEASES=${this.options.retainReleases}): ${plan.remove.join(', ')}`,
      );
    }
    await host.writeJournal(journal);
    const output: HostOutput = {
      host: host.name,
      live: install.release,
      path: folder,
      packageVersion: install.packageVersion,
      retained: retainedReleases(journal, plan.keep),
      how,
      bytesSent: Number(ctx.state[key('bytesSent')] ?? 0),
    };
    await ctx.saveState({ [key('live')]: output });
    return output;
  }

  /** Whether the host can switch back to `target`'s folder (journal entry intact) or must get its package again. */
  private async rollbackHow(ctx: StageContext, host: ReleaseHost, target: HostRelease): Promise<'switch' | 'redeploy'> {
    const key = `${host.name} how`;
    const known = ctx.state[key];
    if (known === 'switch' || known === 'redeploy') return known;
    let how: 'switch' | 'redeploy' = 'redeploy';
    if (!target.path) {
      ctx.log(
        'info',
        `[${host.name}] release ${target.release} was never on this host (added since): redeploying its package.`,
      );
    } else {
      const entry = successfulFolders(await host.readJournal()).find((e) => e.path === target.path);
      const check = entry
        ? await host.intact(target.path, entry.filesChecksum)
        : { intact: false, why: 'retention removed it' };
      if (check.intact) how = 'switch';
      else
        ctx.log(
          'info',
          `[${host.name}] release ${target.release} in ${target.path} cannot be switched back to (${check.why}): redeploying its package.`,
        );
    }
    await ctx.saveState({ [key]: how });
    return how;
  }

  /** `current` back to the retained folder (once), journaled, then the `rollbackOnly` steps there. */
  private async switchBack(
    ctx: StageContext,
    spec: SshSpec,
    host: ReleaseHost,
    target: HostRelease,
    left: HostOutput | null,
    variables: Install['variables'],
  ): Promise<HostOutput> {
    const key = (k: string) => `${host.name} ${k}`;
    if (ctx.state[key('switched')] !== true) {
      const live = await host.live();
      if (live !== target.path) {
        await host.switchTo(target.path);
        ctx.log(
          'info',
          `[${host.name}] current → ${target.path} (switched back to release ${target.release}; was ${live ?? 'nothing'}): no package sent, nothing extracted.`,
        );
      } else ctx.log('info', `[${host.name}] current already points at ${target.path} (release ${target.release}).`);
      const journal = recordEntry(await host.readJournal(), {
        deploymentId: ctx.jobId,
        release: target.release,
        package: target.package,
        packageVersion: target.packageVersion,
        checksum: target.checksum,
        path: target.path,
        filesChecksum: target.filesChecksum,
        time: new Date().toISOString(),
        outcome: 'Success',
        mode: 'switch-back',
      });
      await host.writeJournal(journal);
      await ctx.saveState({ [key('switched')]: true });
    }
    const env = releaseEnvironment({
      ...variables,
      folder: target.path,
      previousInstallationPath: left?.path ?? null,
      previousPackageVersion: left?.packageVersion ?? null,
      rollback: true,
    });
    await this.runSteps(ctx, host, stepsFor(spec.steps, 'switch-back'), target.path, env, key('stepsDone'));
    const journal = await host.readJournal();
    return {
      host: host.name,
      live: target.release,
      path: target.path,
      packageVersion: target.packageVersion,
      retained: retainedReleases(
        journal,
        successfulFolders(journal).map((e) => e.path),
      ),
      how: 'switched back',
      bytesSent: 0,
    };
  }

  /** The rollback of a first deployment: `current` and the folder the execution installed are removed. */
  private async removeFirst(ctx: StageContext, host: ReleaseHost, folder: string | null): Promise<HostOutput> {
    await host.removeCurrent();
    if (folder) {
      await host.remove([folder]);
      await host.writeJournal(markRemoved(await host.readJournal(), [folder], new Date().toISOString()));
    }
    ctx.log('info', `[${host.name}] nothing ran here before: current${folder ? ` and ${folder}` : ''} removed.`);
    return {
      host: host.name,
      live: null,
      path: null,
      packageVersion: null,
      retained: [],
      how: 'removed',
      bytesSent: 0,
    };
  }

  private async runSteps(
    ctx: StageContext,
    host: ReleaseHost,
    steps: SshSpec['steps'],
    cwd: string,
    env: Record<string, string>,
    doneKey: string,
  ): Promise<void> {
    const done = Number(ctx.state[doneKey] ?? 0);
    if (ctx.resumed && done > 0 && done < steps.length)
      ctx.log(
        'warn',
        `[${host.name}] resuming at step "${steps[done]!.name}": a step the stopped worker had started runs again.`,
      );
    for (let i = done; i < steps.length; i++) {
      await host.runStep(steps[i]!, cwd, env);
      await ctx.saveState({ [doneKey]: i + 1 });
    }
  }

  private async journalFailure(ctx: StageContext, host: ReleaseHost, install: Install, folder: string): Promise<void> {
    const journal = recordEntry(
      await host.readJournal(),
      installEntry(ctx, install, folder, 'Failed', null, new Date().toISOString()),
    );
    await host.writeJournal(journal);
    ctx.log('error', `[${host.name}] release ${install.release} failed verification; current was not switched.`);
  }

  private stepEnvironment(
    install: Install,
    folder: string,
    previous: { path: string; packageVersion: string } | null,
    rollback: boolean,
  ): Record<string, string> {
    return releaseEnvironment({
      ...install.variables,
      folder,
      previousInstallationPath: previous?.path || null,
      previousPackageVersion: previous?.packageVersion ?? null,
      rollback,
    });
  }

  /** The package's bytes, read once for all hosts, only if a host needs them. */
  private packageLoader(name: string, version: string): () => Promise<PackageBytes> {
    let loading: Promise<PackageBytes> | null = null;
    return () => (loading ??= this.options.packages.bytes(name, version));
  }

  /** The release this deployment runs, which must pin the stage's package and have a usable version. */
  private releaseOf(ctx: StageContext, spec: SshSpec) {
    const release = ctx.release;
    if (!release)
      throw new StageFailed(
        `An ssh stage deploys a package of a release: create a release (POST /api/pipelines/:id/releases) and deploy it (POST /api/releases/:id/deployments).`,
      );
    if (!RELEASE_NAME.test(release.version))
      throw new StageFailed(
        `Release version "${release.version}" cannot name a folder on a host: use letters, digits, ".", "_", "+" or "-".`,
      );
    if (!pinnedVersion(release, spec.package))
      throw new StageFailed(
        `Release ${release.version} pins no version of package "${spec.package}", which this stage deploys.`,
      );
    return release;
  }

  private connectionOf(ctx: StageContext): Promise<SshConnection> {
    return parseSshConnection(ctx.target.connection);
  }

  /**
   * Runs `fn` on every host (a few at once), each through its own SSH session. Every host is tried; when any failed,
   * the stage fails naming each. A changed host key or an unreachable host is a stage failure with its sentence.
   */
  private async eachHost<R>(
    ctx: StageContext,
    spec: SshSpec,
    connection: SshConnection,
    fn: (host: ReleaseHost) => Promise<R>,
  ): Promise<R[]> {
    const settled = await mapWithConcurrency(connection.hosts, this.concurrency, async (address) => {
      try {
        return { ok: true as const, value: await this.onHost(ctx, spec, connection, address, fn) };
      } catch (error) {
        return { ok: false as const, error };
      }
    });
    const failures = settled.filter((s) => !s.ok).map((s) => (s as { error: unknown }).error);
    const other = failures.find((e) => !(e instanceof StageFailed));
    if (other !== undefined) throw other instanceof Error ? other : new Error(JSON.stringify(other));
    if (failures.length) throw new StageFailed(failures.map((e) => (e as Error).message).join(' '));
    return settled.map((s) => (s as { value: R }).value);
  }

  private async onHost<R>(
    ctx: StageContext,
    spec: SshSpec,
    connection: SshConnection,
    address: SshHost,
    fn: (host: ReleaseHost) => Promise<R>,
  ): Promise<R> {
    let session;
    try {
      session = await openSshSession(address, connection, { signal: ctx.signal });
    } catch (error) {
      if (error instanceof SshHostKeyMismatch || error instanceof SshUnreachable) throw new StageFailed(error.message);
      throw error;
    }
    const host = new ReleaseHost(session, {
      installDir: spec.installDir,
      commandTimeoutMs: spec.commandTimeoutSeconds * 1000,
      log: (level, message) => ctx.log(level, maskSecrets(message, ctx.secrets)),
      mask: (text) => maskSecrets(text, ctx.secrets),
      signal: ctx.signal,
    });
    try {
      return await fn(host);
    } finally {
      session.close();
    }
  }
}

/** The journal entry of an install of this job on a host. */
function installEntry(
  ctx: StageContext,
  install: Install,
  folder: string,
  outcome: JournalEntry['outcome'],
  filesChecksum: string | null,
  time: string,
): JournalEntry {
  return {
    deploymentId: ctx.jobId,
    release: install.release,
    package: install.packageName,
    packageVersion: install.packageVersion,
    checksum: install.checksum,
    path: folder,
    filesChecksum,
    time,
    outcome,
    mode: install.mode,
  };
}

function hostRelease(entry: JournalEntry): HostRelease {
  return {
    release: entry.release,
    path: entry.path,
    package: entry.package,
    packageVersion: entry.packageVersion,
    checksum: entry.checksum,
    filesChecksum: entry.filesChecksum,
    deploymentId: entry.deploymentId,
  };
}

/** The releases of the kept folders, newest first. */
function retainedReleases(journal: Journal, keep: string[]): string[] {
  const kept = new Set(keep);
  return successfulFolders(journal)
    .filter((e) => kept.has(e.path))
    .map((e) => e.release);
}
