import { sha256 } from '../../common/hash.js';
import { ConnectionCache } from '../connection-cache.js';
import { mapWithConcurrency } from '../../common/concurrency.js';
import { parseKubernetesConnection, type KubernetesConnection } from '../infrastructures/infrastructure-connection.js';
import { clientNode } from '../kubernetes/client-node.js';
import { KubeClient, kubeApis, type KubeApis } from '../kubernetes/kube-client.js';
import { kubeConfigFor } from '../kubernetes/kube-config.js';
import { replicaCounts } from '../kubernetes/kube-objects.js';
import { healthOf, rolloutStatus } from '../kubernetes/rollout-status.js';
import {
  StageFailed,
  StageWait,
  pinnedVersion,
  stagePackageVersion,
  type InstanceView,
  type PlatformProvider,
  type RecordedStage,
  type StageContext,
  type StageHealth,
} from '../provider.js';
import type { PackageSource } from '../packages/package-source.js';
import { HelmCli, HelmCommandError } from './helm-cli.js';
import {
  PENDING_STATUSES,
  chartArtifact,
  deployDescription,
  deployedRevision,
  deploymentsOf,
  latestRevision,
} from './helm-history.js';
import { planDeploy, planRollback, driftSentences } from './helm-plan.js';
import type { HelmData, HelmOutputs, HelmRevision } from './helm-records.js';
import { parseHelmSpec, type HelmSpec } from './helm-spec.js';

type Recorded = RecordedStage<HelmSpec, HelmData, HelmOutputs>;

export interface HelmProviderOptions {
  /** The helm binary (HELM_BIN). */
  bin: string;
  packages: PackageSource;
  /** How often a call that found the release pending asks to be called again (default 2 s). */
  waitRetryMs?: number;
}

/** The spec's default timeout: a recorded spec is stored as written (resolved, not parsed), so it may lack one. */
const DEFAULT_TIMEOUT_SECONDS = 300;

/**
 * The `helm` platform provider (ADR 0016, docs/helm-provider.md): a packaged chart from the package store installed
 * or upgraded with `helm upgrade --install`, rolled back with `helm rollback` to the revision captured before the
 * deploy (or uninstalled when the release did not exist). Every call reads `helm history` first: Backtrack's upgrade
 * revisions carry a description naming the job and stage, and a rollback's revision says "Rollback to N", so a
 * resumed call recognises what an earlier attempt sent and never sends it again. A release found pending-* is waited
 * for (StageWait) until the stage's timeout, then the stage fails saying what is there. No helm call waits for the
 * rollout: `status` reads the release's Deployments through the Kubernetes API.
 */
export class HelmProvider implements PlatformProvider<HelmSpec, HelmData, HelmOutputs> {
  readonly kind = 'helm' as const;
  private readonly apis = new ConnectionCache<KubernetesConnection, KubeApis>((connection) =>
    kubeApis(kubeConfigFor(connection)),
  );

  constructor(private readonly options: HelmProviderOptions) {}

  parseSpec(spec: unknown): HelmSpec {
    return parseHelmSpec(spec);
  }

  artifactOf(spec: HelmSpec): string | null {
    return spec.version ? `${spec.package} ${spec.version}` : spec.package;
  }

  async capture(ctx: StageContext, spec: HelmSpec): Promise<HelmData> {
    const history = await (
      await this.cli(ctx)
    )
      .history(spec.release, spec.namespace)
      .catch(failure('read the history of', spec));
    const latest = latestRevision(history);
    const deployed = deployedRevision(history);
    const data: HelmData = {
      release: spec.release,
      namespace: spec.namespace,
      existed: latest !== null,
      latest: latest?.revision ?? 0,
      revision: deployed?.revision ?? null,
      chart: deployed?.chart ?? null,
      appVersion: deployed?.appVersion ?? null,
    };
    ctx.log(
      'info',
      !latest
        ? `Helm release ${where(spec)} does not exist yet: the stage installs it (its rollback uninstalls it).`
        : `Helm release ${where(spec)} is at revision ${latest.revision} (${latest.status}); deployed revision: ${deployed ? `${deployed.revision} (${deployed.chart})` : 'none'}: captured.`,
    );
    return data;
  }

  isFirstDeployment(data: HelmData): boolean {
    return !data.existed;
  }

  describeRollbackTarget(data: HelmData): string | null {
    if (!data.existed) return 'nothing (first deployment: the release is uninstalled)';
    return data.revision === null ? null : `revision ${data.revision}${data.chart ? ` (${data.chart})` : ''}`;
  }

  async deploy(ctx: StageContext, spec: HelmSpec, _data: HelmData): Promise<HelmOutputs> {
    const version = stagePackageVersion(ctx.release, spec.package, spec.version, 'helm');
    const chart = await this.options.packages.bytes(spec.package, version);
    if (chart.format !== 'tar.gz')
      throw new StageFailed(
        `Package ${spec.package} ${version} is not a packaged Helm chart (.tgz): it is a ${chart.format}.`,
      );
    const pin = ctx.release ? pinnedVersion(ctx.release, spec.package) : null;
    if (pin && pin.sha256 !== chart.sha256)
      throw new StageFailed(
        `Package ${spec.package} ${version} no longer has the checksum release ${ctx.release!.version} pinned.`,
      );
    const marker = {
      jobId: ctx.jobId,
      stageId: ctx.stageId,
      contentKey: sha256(`${chart.sha256}\n${spec.namespace}\n${JSON.stringify(spec.values)}`).slice(0, 16),
    };
    const cli = await this.cli(ctx);
    if (ctx.resumed)
      ctx.log('info', 'Resumed: the release history is read first; an upgrade already sent is not sent again.');
    const history = await cli.history(spec.release, spec.namespace).catch(failure('read the history of', spec));
    const sentAfter =
      typeof ctx.state['deploy after revision'] === 'number' ? ctx.state['deploy after revision'] : null;
    const plan = planDeploy(history, marker, spec.release, sentAfter);
    if (plan.action === 'wait') return this.waitOrFail(ctx, 'deploy', plan.reason, spec.timeoutSeconds);
    await this.clearWait(ctx, 'deploy');
    if (plan.action === 'failed') throw new StageFailed(`${plan.reason}.`);
    if (plan.action === 'done') {
      ctx.log('info', `Helm release ${where(spec)}: ${plan.reason}, nothing sent.`);
      return this.outputsOf(cli, spec.release, spec.namespace, plan.revision);
    }
    const before = latestRevision(history)?.revision ?? 0;
    await ctx.saveState({ 'deploy upgrade': marker.contentKey, 'deploy after revision': before });
    ctx.log(
      'info',
      `helm upgrade --install ${spec.release} (${spec.package} ${version}) in namespace ${spec.namespace}.`,
    );
    let refusal: HelmCommandError | null = null;
    try {
      await cli.upgradeInstall({
        release: spec.release,
        namespace: spec.namespace,
        chart: chart.content,
        values: spec.values,
        description: deployDescription(marker),
        timeoutSeconds: spec.timeoutSeconds,
      });
    } catch (error) {
      if (!(error instanceof HelmCommandError)) throw error;
      refusal = error;
    }
    // Read back what helm left, whether it said yes or no: the revision it wrote (if any) is the truth.
    const after = await cli.history(spec.release, spec.namespace).catch((error: unknown) => {
      throw new StageFailed(
        `helm upgrade ${refusal ? `failed (${refusal.message})` : 'ran'}, and the release's history could not be read back to see what it applied: ${messageOf(error)}`,
      );
    });
    const own = planDeploy(after, marker, spec.release, before);
    if (own.action === 'done') {
      if (refusal)
        ctx.log('warn', `helm exited with "${refusal.message}", yet revision ${own.revision.revision} is deployed.`);
      ctx.log(
        'info',
        `Helm release ${where(spec)}: revision ${own.revision.revision} (${own.revision.chart}) written.`,
      );
      return this.outputsOf(cli, spec.release, spec.namespace, own.revision);
    }
    if (own.action === 'failed')
      throw new StageFailed(`${own.reason}${refusal ? ` (helm said: ${refusal.message})` : ''}.`);
    if (own.action === 'wait') return this.waitOrFail(ctx, 'deploy', own.reason, spec.timeoutSeconds);
    throw new StageFailed(
      `helm upgrade --install of release ${where(spec)} was refused before it wrote a revision, so nothing was applied: ${refusal?.message ?? 'no revision appeared'}.`,
    );
  }

  async status(ctx: StageContext, _spec: HelmSpec, outputs: HelmOutputs): Promise<StageHealth> {
    const cli = await this.cli(ctx);
    const history = await cli
      .history(outputs.release, outputs.namespace)
      .catch(failure('read the history of', outputs));
    if (outputs.uninstalled) {
      const latest = latestRevision(history);
      return latest
        ? {
            steady: false,
            reason: `release ${outputs.release} still has revision ${latest.revision} (${latest.status})`,
          }
        : { steady: true };
    }
    const revision = history.find((r) => r.revision === outputs.revision);
    if (!revision)
      return {
        steady: false,
        failed: true,
        reason: `revision ${outputs.revision} of release ${outputs.release} is gone`,
      };
    if (PENDING_STATUSES.has(revision.status))
      return { steady: false, reason: `helm is still applying revision ${revision.revision} (${revision.status})` };
    if (revision.status === 'failed')
      return {
        steady: false,
        failed: true,
        reason: `Helm revision ${revision.revision} failed: ${revision.description}`,
      };
    const client = await this.kube(ctx);
    const answers = await mapWithConcurrency(outputs.deployments, 8, async (d) => {
      const live = await client.read({ kind: 'Deployment', namespace: d.namespace, name: d.name });
      if (!live)
        return { done: false as const, failed: true as const, reason: `Deployment ${d.namespace}/${d.name} is gone` };
      return rolloutStatus(live);
    });
    return healthOf(answers);
  }

  async drift(ctx: StageContext, recorded: Recorded): Promise<string[]> {
    const { release, namespace } = recorded.data;
    const history = await (
      await this.cli(ctx)
    )
      .history(release, namespace)
      .catch(failure('read the history of', recorded.data));
    return driftSentences(history, recorded.outputs);
  }

  async rollback(ctx: StageContext, recorded: Recorded): Promise<HelmOutputs> {
    const { data } = recorded;
    const timeoutSeconds = timeoutOf(recorded.spec);
    const cli = await this.cli(ctx);
    if (ctx.resumed)
      ctx.log('info', 'Resumed: the release history is read first; a rollback already sent is not sent again.');
    const history = await cli.history(data.release, data.namespace).catch(failure('read the history of', data));
    const plan = planRollback(history, data);
    if (plan.action === 'wait') return this.waitOrFail(ctx, 'rollback', plan.reason, timeoutSeconds);
    await this.clearWait(ctx, 'rollback');
    switch (plan.action) {
      case 'failed':
        throw new StageFailed(`${plan.reason}.`);
      case 'nothing': {
        ctx.log('info', `${plan.reason}: nothing sent.`);
        const deployed = deployedRevision(history);
        return deployed ? this.outputsOf(cli, data.release, data.namespace, deployed) : uninstalled(data);
      }
      case 'sent':
        ctx.log(
          'info',
          `Revision ${plan.revision.revision} ("${plan.revision.description}") is already there: the rollback was sent before, not sent again.`,
        );
        return this.outputsOf(cli, data.release, data.namespace, plan.revision);
      case 'uninstall':
        return this.uninstall(ctx, cli, data, timeoutSeconds);
      case 'rollback':
        return this.rollbackTo(ctx, cli, data, plan.to, timeoutSeconds);
    }
  }

  async describe(ctx: StageContext, recorded: Recorded): Promise<InstanceView> {
    const { release, namespace } = recorded.data;
    const cli = await this.cli(ctx);
    const deployed = deployedRevision(
      await cli.history(release, namespace).catch(failure('read the history of', recorded.data)),
    );
    if (!deployed) return { artifact: null, revision: null, ready: null, desired: null };
    const outputs = await this.outputsOf(cli, release, namespace, deployed);
    const client = await this.kube(ctx);
    const counts = await mapWithConcurrency(outputs.deployments, 8, async (d) => {
      const live = await client.read({ kind: 'Deployment', namespace: d.namespace, name: d.name });
      return live ? replicaCounts(live) : { ready: 0, desired: 0 };
    });
    const some = counts.length > 0;
    return {
      artifact: chartArtifact(deployed.chart, deployed.appVersion),
      revision: String(deployed.revision),
      ready: some ? counts.reduce((n, c) => n + c.ready, 0) : null,
      desired: some ? counts.reduce((n, c) => n + c.desired, 0) : null,
    };
  }

  private async rollbackTo(
    ctx: StageContext,
    cli: HelmCli,
    data: HelmData,
    to: number,
    timeoutSeconds: number,
  ): Promise<HelmOutputs> {
    await ctx.saveState({ 'rollback to': to });
    ctx.log('info', `helm rollback ${data.release} ${to} in namespace ${data.namespace}.`);
    let refusal: HelmCommandError | null = null;
    try {
      await cli.rollback(data.release, data.namespace, to, timeoutSeconds);
    } catch (error) {
      if (!(error instanceof HelmCommandError)) throw error;
      refusal = error;
    }
    const after = await cli.history(data.release, data.namespace).catch((error: unknown) => {
      throw new StageFailed(
        `helm rollback ${refusal ? `failed (${refusal.message})` : 'ran'}, and the release's history could not be read back to see what it applied: ${messageOf(error)}`,
      );
    });
    const plan = planRollback(after, data);
    if (plan.action === 'sent') {
      if (refusal)
        ctx.log('warn', `helm exited with "${refusal.message}", yet revision ${plan.revision.revision} is there.`);
      ctx.log(
        'info',
        `Helm release ${data.namespace}/${data.release}: revision ${plan.revision.revision} ("Rollback to ${to}") written.`,
      );
      return this.outputsOf(cli, data.release, data.namespace, plan.revision);
    }
    if (plan.action === 'wait') return this.waitOrFail(ctx, 'rollback', plan.reason, timeoutSeconds);
    if (plan.action === 'failed')
      throw new StageFailed(`${plan.reason}${refusal ? ` (helm said: ${refusal.message})` : ''}.`);
    throw new StageFailed(
      `helm rollback of release ${data.namespace}/${data.release} to revision ${to} was refused before it wrote a revision, so nothing was applied: ${refusal?.message ?? 'no revision appeared'}.`,
    );
  }

  private async uninstall(
    ctx: StageContext,
    cli: HelmCli,
    data: HelmData,
    timeoutSeconds: number,
  ): Promise<HelmOutputs> {
    await ctx.saveState({ 'rollback uninstall': 'sent' });
    ctx.log('info', `helm uninstall ${data.release} in namespace ${data.namespace} (the execution installed it).`);
    try {
      await cli.uninstall(data.release, data.namespace, timeoutSeconds);
    } catch (error) {
      if (!(error instanceof HelmCommandError)) throw error;
      const left = await cli.history(data.release, data.namespace).catch(() => null);
      if (left?.length !== 0) {
        const latest = left ? latestRevision(left) : null;
        throw new StageFailed(
          `helm uninstall of release ${data.namespace}/${data.release} failed: ${error.message}; ${latest ? `the release is still there at revision ${latest.revision} (${latest.status})` : 'what is left could not be read'}.`,
        );
      }
    }
    ctx.log('info', `Helm release ${data.namespace}/${data.release} uninstalled.`);
    return uninstalled(data);
  }

  /** StageWait until the stage's timeout from the first wait of this call, then a failure saying what is there. */
  private async waitOrFail(ctx: StageContext, phase: string, reason: string, timeoutSeconds: number): Promise<never> {
    const key = `${phase} waiting since`;
    const since = typeof ctx.state[key] === 'string' ? Date.parse(ctx.state[key]) : NaN;
    if (Number.isNaN(since)) await ctx.saveState({ [key]: new Date().toISOString() });
    else if (Date.now() - since > timeoutSeconds * 1_000)
      throw new StageFailed(
        `${reason}, still so after ${timeoutSeconds}s: Backtrack sends nothing while helm has the release pending (helm refuses another operation until it settles; see helm history).`,
      );
    ctx.log('info', `Waiting: ${reason}.`);
    throw new StageWait(reason, this.options.waitRetryMs ?? 2_000);
  }

  private async clearWait(ctx: StageContext, phase: string): Promise<void> {
    if (ctx.state[`${phase} waiting since`]) await ctx.saveState({ [`${phase} waiting since`]: null });
  }

  private async outputsOf(
    cli: HelmCli,
    release: string,
    namespace: string,
    revision: HelmRevision,
  ): Promise<HelmOutputs> {
    const manifest = await cli
      .manifest(release, namespace, revision.revision)
      .catch(failure('read the manifest of', { release, namespace }));
    return {
      release,
      namespace,
      revision: revision.revision,
      chart: revision.chart || null,
      appVersion: revision.appVersion || null,
      deployments: deploymentsOf(manifest, namespace),
      uninstalled: false,
    };
  }

  private async connection(ctx: StageContext): Promise<KubernetesConnection> {
    try {
      return await parseKubernetesConnection(ctx.target.connection);
    } catch {
      throw new StageFailed(`Infrastructure "${ctx.target.name}" has no usable Kubernetes connection for helm.`);
    }
  }

  private async cli(ctx: StageContext): Promise<HelmCli> {
    return new HelmCli({ bin: this.options.bin, connection: await this.connection(ctx), secrets: ctx.secrets });
  }

  /** The cluster's client (client-node is imported by the first one). */
  private async kube(ctx: StageContext): Promise<KubeClient> {
    const connection = await this.connection(ctx);
    await clientNode.load();
    return new KubeClient(this.apis.get(connection), ctx.signal);
  }
}

/** The recorded spec's timeoutSeconds (the stage row keeps the spec as written: defaults are not filled in). */
function timeoutOf(spec: unknown): number {
  const value = (spec as { timeoutSeconds?: unknown } | null)?.timeoutSeconds;
  return typeof value === 'number' && value > 0 ? value : DEFAULT_TIMEOUT_SECONDS;
}

function uninstalled(data: HelmData): HelmOutputs {
  return {
    release: data.release,
    namespace: data.namespace,
    revision: null,
    chart: null,
    appVersion: null,
    deployments: [],
    uninstalled: true,
  };
}

function where(spec: { release: string; namespace: string }): string {
  return `${spec.namespace}/${spec.release}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A helm read that failed, as the stage's sentence. */
function failure(what: string, on: { release: string; namespace: string }) {
  return (error: unknown): never => {
    if (error instanceof StageFailed) throw error;
    throw new StageFailed(`helm could not ${what} release ${where(on)}: ${messageOf(error)}`);
  };
}
