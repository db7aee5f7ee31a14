import { mapWithConcurrency } from '../../common/concurrency.js';
import { ConnectionCache } from '../connection-cache.js';
import { deepEqual } from '../../common/json.js';
import { parseKubernetesConnection, type KubernetesConnection } from '../infrastructures/infrastructure-connection.js';
import {
  StageFailed,
  type InstanceView,
  type PlatformProvider,
  type RecordedStage,
  type StageContext,
  type StageHealth,
} from '../provider.js';
import { driftSentences } from './drift.js';
import { clientNode } from './client-node.js';
import { KubeApiError, KubeClient, kubeApis, type KubeApis } from './kube-client.js';
import { kubeConfigFor } from './kube-config.js';
import {
  cleanObject,
  contains,
  imageOf,
  isOwnedBy,
  normalizeManifest,
  replacementBody,
  replicaCounts,
  revisionOf,
  templateHash,
  templateOf,
  uidOf,
  withoutHashLabel,
  type KubeObject,
} from './kube-objects.js';
import type { CapturedObject, DeploymentOutput, KubernetesData, KubernetesOutputs } from './kubernetes-records.js';
import {
  parseKubernetesRollbackStep,
  parseKubernetesSpec,
  refKey,
  refOf,
  type KubernetesManifest,
  type KubernetesSpec,
  type ObjectRef,
} from './kubernetes-spec.js';
import { healthOf, rolloutStatus } from './rollout-status.js';
import { planUndo } from './undo-plan.js';

type Recorded = RecordedStage<KubernetesSpec, KubernetesData, KubernetesOutputs>;

/** A replace that keeps meeting a 409 (someone else writing the object) gives up after this many reads. */
const MAX_CONFLICTS = 5;

export interface KubernetesProviderOptions {
  /** Objects read or written at once (default 8). */
  concurrency?: number;
}

/**
 * The `kubernetes` platform provider (ADR 0014, docs/kubernetes-provider.md): Deployments, ConfigMaps, Services and
 * Secrets through @kubernetes/client-node. Deploy is create-or-replace; rollback is `kubectl rollout undo` to the
 * captured revision for Deployments that existed, a delete for what the stage created, a replace with the captured
 * object for the rest. Every write is recorded in the stage state before it is sent, and every step reads the object
 * first, so a resumed call sends only what is not done yet. State keys are flat (`deploy Deployment ns/name`), so
 * concurrent steps never overwrite each other's records whatever way the engine merges patches.
 */
export class KubernetesProvider implements PlatformProvider<KubernetesSpec, KubernetesData, KubernetesOutputs> {
  readonly kind = 'kubernetes' as const;
  private readonly concurrency: number;
  private readonly apis = new ConnectionCache<KubernetesConnection, KubeApis>((connection) =>
    kubeApis(kubeConfigFor(connection)),
  );

  constructor(options: KubernetesProviderOptions = {}) {
    this.concurrency = options.concurrency ?? 8;
  }

  parseSpec(spec: unknown): KubernetesSpec {
    return parseKubernetesSpec(spec);
  }

  parseRollbackStep(step: unknown): Record<string, unknown> {
    return parseKubernetesRollbackStep(step);
  }

  artifactOf(spec: KubernetesSpec): string | null {
    return imageOf(spec.manifests.find((m) => m.kind === 'Deployment'));
  }

  async capture(ctx: StageContext, spec: KubernetesSpec): Promise<KubernetesData> {
    const client = await this.client(ctx);
    const refs = spec.manifests.map((m) => refOf(m, spec.namespace));
    const live = await mapWithConcurrency(refs, this.concurrency, (ref) => client.read(ref));
    const replicaSets = this.replicaSetsOnce(client);
    const objects = await mapWithConcurrency(refs, this.concurrency, async (ref, i): Promise<CapturedObject> => {
      const object = live[i] ?? null;
      if (!object) return { ...ref, existed: false, object: null };
      if (ref.kind !== 'Deployment') return { ...ref, existed: true, object: cleanObject(object) };
      const revision = revisionOf(object);
      const uid = uidOf(object);
      const owned = uid ? (await replicaSets(ref.namespace)).filter((rs) => isOwnedBy(rs, uid)) : [];
      const current = owned.find((rs) => revision !== null && revisionOf(rs) === revision);
      return {
        ...ref,
        existed: true,
        object: cleanObject(object),
        revision,
        revisionTemplate: current ? withoutHashLabel(templateOf(current)) : null,
      };
    });
    for (const o of objects)
      ctx.log(
        'info',
        o.existed
          ? `${refKey(o)} exists${o.kind === 'Deployment' ? ` (revision ${o.revision ?? 'none'}, ${imageOf(o.object) ?? 'no image'})` : ''}: captured`
          : `${refKey(o)} does not exist yet: the stage creates it`,
      );
    return { objects };
  }

  isFirstDeployment(data: KubernetesData): boolean {
    return data.objects.every((o) => !o.existed);
  }

  async deploy(ctx: StageContext, spec: KubernetesSpec, _data: KubernetesData): Promise<KubernetesOutputs> {
    const client = await this.client(ctx);
    if (ctx.resumed) ctx.log('info', 'Resumed: each object is read back first; only what is not there yet is sent.');
    const manifests = spec.manifests.map((m) => ({ manifest: m, ref: refOf(m, spec.namespace) }));
    // What the pods read (ConfigMaps, Secrets) and what routes to them first, then the Deployments.
    const others = manifests.filter((m) => m.ref.kind !== 'Deployment');
    const deployments = manifests.filter((m) => m.ref.kind === 'Deployment');
    await mapWithConcurrency(others, this.concurrency, (m) => this.apply(ctx, client, 'deploy', m.manifest, m.ref));
    const applied = await mapWithConcurrency(deployments, this.concurrency, (m) =>
      this.apply(ctx, client, 'deploy', m.manifest, m.ref),
    );
    // The revision is the controller's to give: read once more, and keep it only if the change was observed.
    const outputs = await mapWithConcurrency(deployments, this.concurrency, async (m, i) => {
      const after = (await client.read(m.ref)) ?? applied[i]!;
      const observed = numberOf(after.status, 'observedGeneration') >= numberOf(after.metadata, 'generation');
      return deploymentOutput(m.ref, after, observed ? revisionOf(after) : null);
    });
    return outputsOf(outputs);
  }

  async status(ctx: StageContext, _spec: KubernetesSpec, outputs: KubernetesOutputs): Promise<StageHealth> {
    const client = await this.client(ctx);
    const answers = await mapWithConcurrency(outputs.deployments, this.concurrency, async (d) => {
      const ref: ObjectRef = { kind: 'Deployment', namespace: d.namespace, name: d.name };
      const live = await client.read(ref);
      if (!live) return { done: false as const, failed: true as const, reason: `${refKey(ref)} is gone` };
      return rolloutStatus(live);
    });
    return healthOf(answers);
  }

  async drift(ctx: StageContext, recorded: Recorded): Promise<string[]> {
    const client = await this.client(ctx);
    const refs = recorded.spec.manifests.map((m) => refOf(m, recorded.spec.namespace));
    const live = await mapWithConcurrency(refs, this.concurrency, (ref) => client.read(ref));
    return driftSentences(recorded, new Map(refs.map((ref, i) => [refKey(ref), live[i] ?? null])));
  }

  async rollback(ctx: StageContext, recorded: Recorded): Promise<KubernetesOutputs> {
    const client = await this.client(ctx);
    const { objects } = recorded.data;
    if (ctx.resumed) ctx.log('info', 'Resumed: each object is read back first; steps already done are not sent again.');
    // Configuration first (the restored pods read it), then the Deployments, then what the stage created.
    await mapWithConcurrency(
      objects.filter((o) => o.existed && o.kind !== 'Deployment'),
      this.concurrency,
      (o) => this.restore(ctx, client, o),
    );
    const replicaSets = this.replicaSetsOnce(client);
    const deployments = await mapWithConcurrency(
      objects.filter((o) => o.existed && o.kind === 'Deployment'),
      this.concurrency,
      (o) => this.undo(ctx, client, o, replicaSets),
    );
    for (const o of objects.filter((c) => !c.existed).reverse()) await this.removeCreated(ctx, client, o);
    return outputsOf(deployments);
  }

  async runRollbackStep(ctx: StageContext, step: Record<string, unknown>, recorded: Recorded): Promise<void> {
    const parsed = parseKubernetesRollbackStep(step);
    const client = await this.client(ctx);
    if ('apply' in parsed) {
      for (const manifest of parsed.apply)
        await this.apply(ctx, client, `step ${parsed.name}`, manifest, refOf(manifest, recorded.spec.namespace));
      return;
    }
    const ref: ObjectRef = {
      kind: parsed.delete.kind,
      name: parsed.delete.name,
      namespace: parsed.delete.namespace ?? recorded.spec.namespace,
    };
    await ctx.saveState({ [`step ${parsed.name} delete ${refKey(ref)}`]: 'sent' });
    const removed = await client.remove(ref);
    ctx.log('info', `${refKey(ref)}: ${removed ? 'deleted' : 'already gone'} (rollback step ${parsed.name})`);
  }

  async describe(ctx: StageContext, recorded: Recorded): Promise<InstanceView> {
    const manifest = recorded.spec.manifests.find((m) => m.kind === 'Deployment');
    if (!manifest) return { artifact: null, revision: null, ready: null, desired: null };
    const live = await (await this.client(ctx)).read(refOf(manifest, recorded.spec.namespace));
    if (!live) return { artifact: null, revision: null, ready: null, desired: null };
    const counts = replicaCounts(live);
    return { artifact: imageOf(live), revision: revisionOf(live), ready: counts.ready, desired: counts.desired };
  }

  /**
   * Creates or replaces one object unless the live one already holds everything the manifest says (then nothing is
   * sent: a second deploy of the same spec, or a resumed one, changes nothing). A 409 (created or changed meanwhile)
   * reads again. Returns the object as the server left it.
   */
  private async apply(
    ctx: StageContext,
    client: KubeClient,
    phase: string,
    manifest: KubernetesManifest,
    ref: ObjectRef,
  ): Promise<KubeObject> {
    const desired = normalizeManifest(manifest) as KubeObject;
    const key = `${phase} ${refKey(ref)}`;
    for (let attempt = 1; ; attempt++) {
      ctx.signal.throwIfAborted();
      const live = await client.read(ref);
      if (live && contains(live, { ...desired, metadata: { ...desired.metadata, namespace: ref.namespace } })) {
        ctx.log('info', `${refKey(ref)}: already as the manifest says, nothing sent`);
        return live;
      }
      await ctx.saveState({ [key]: 'sent' });
      try {
        const written = live
          ? await client.replace(ref, replacementBody(desired, live))
          : await client.create(ref, desired);
        ctx.log('info', `${refKey(ref)}: ${live ? 'replaced' : 'created'}${describeImage(written)}`);
        return written;
      } catch (error) {
        if (!(error instanceof KubeApiError && error.code === 409) || attempt >= MAX_CONFLICTS)
          throw conflictOrAsIs(error, ref);
        ctx.log('info', `${refKey(ref)}: changed meanwhile (${error.reason || 'Conflict'}), reading it again`);
      }
    }
  }

  /** Puts a ConfigMap, Service or Secret back exactly as captured (nothing sent when it already is). */
  private async restore(ctx: StageContext, client: KubeClient, captured: CapturedObject): Promise<void> {
    const object = captured.object!;
    for (let attempt = 1; ; attempt++) {
      ctx.signal.throwIfAborted();
      const live = await client.read(captured);
      if (live && deepEqual(cleanObject(live), object)) {
        ctx.log('info', `${refKey(captured)}: already as captured, nothing sent`);
        return;
      }
      await ctx.saveState({ [`rollback ${refKey(captured)}`]: 'sent' });
      try {
        if (live)
          await client.replace(captured, {
            ...object,
            metadata: { ...object.metadata, resourceVersion: live.metadata?.resourceVersion },
          });
        else await client.create(captured, object);
        ctx.log('info', `${refKey(captured)}: ${live ? 'restored' : 'created again'} as captured before the deploy`);
        return;
      } catch (error) {
        if (!(error instanceof KubeApiError && error.code === 409) || attempt >= MAX_CONFLICTS)
          throw conflictOrAsIs(error, captured);
      }
    }
  }

  /** `kubectl rollout undo` of one Deployment to the captured revision (see planUndo). */
  private async undo(
    ctx: StageContext,
    client: KubeClient,
    captured: CapturedObject,
    replicaSets: (namespace: string) => Promise<KubeObject[]>,
  ): Promise<DeploymentOutput> {
    ctx.signal.throwIfAborted();
    const key = refKey(captured);
    const live = await client.read(captured);
    const plan = planUndo(captured, live, live ? await replicaSets(captured.namespace) : []);
    if (plan.action === 'skip') {
      ctx.log('info', `${key}: ${plan.reason}, nothing sent`);
      return deploymentOutput(captured, live!, null);
    }
    await ctx.saveState({ [`rollback ${key}`]: 'sent' });
    if (plan.action === 'recreate') {
      const created = await client.create(captured, plan.object);
      ctx.log('warn', `${key} was deleted since the execution: created again as captured`);
      return deploymentOutput(captured, created, null);
    }
    if (plan.pruned)
      ctx.log(
        'warn',
        `${key}: the ReplicaSet of revision ${captured.revision ?? '(none)'} is gone (revisionHistoryLimit); restoring the pod template captured before the deploy`,
      );
    const patched = await client.patchDeployment(captured, plan.patch);
    ctx.log('info', `${key}: pod template back to revision ${captured.revision ?? '(none)'}${describeImage(patched)}`);
    return deploymentOutput(captured, patched, null);
  }

  /** Deletes what the stage created; after a resumed attempt that already sent the delete, reads first. */
  private async removeCreated(ctx: StageContext, client: KubeClient, captured: CapturedObject): Promise<void> {
    ctx.signal.throwIfAborted();
    const key = `rollback ${refKey(captured)}`;
    if (ctx.state[key] === 'sent' && !(await client.read(captured))) {
      ctx.log('info', `${refKey(captured)}: already deleted`);
      return;
    }
    await ctx.saveState({ [key]: 'sent' });
    const removed = await client.remove(captured);
    ctx.log('info', `${refKey(captured)}: ${removed ? 'deleted (the stage created it)' : 'already gone'}`);
  }

  /** The cluster's client (client-node is imported by the first one). */
  private async client(ctx: StageContext): Promise<KubeClient> {
    let connection;
    try {
      connection = await parseKubernetesConnection(ctx.target.connection);
    } catch {
      throw new StageFailed(`Infrastructure "${ctx.target.name}" has no usable Kubernetes connection.`);
    }
    await clientNode.load();
    return new KubeClient(this.apis.get(connection), ctx.signal);
  }

  /** The ReplicaSets of a namespace, listed at most once per call however many Deployments need them. */
  private replicaSetsOnce(client: KubeClient): (namespace: string) => Promise<KubeObject[]> {
    const lists = new Map<string, Promise<KubeObject[]>>();
    return (namespace) => {
      let list = lists.get(namespace);
      if (!list) {
        list = client.replicaSets(namespace);
        lists.set(namespace, list);
      }
      return list;
    };
  }
}

function deploymentOutput(ref: ObjectRef, object: KubeObject, revision: string | null): DeploymentOutput {
  return {
    namespace: ref.namespace,
    name: ref.name,
    revision,
    generation: numberOf(object.metadata, 'generation'),
    templateHash: templateHash(templateOf(object)),
    image: imageOf(object),
  };
}

function outputsOf(deployments: DeploymentOutput[]): KubernetesOutputs {
  return { deployments, image: deployments[0]?.image ?? null, revision: deployments[0]?.revision ?? null };
}

function numberOf(holder: unknown, key: string): number {
  const value = (holder as Record<string, unknown> | undefined)?.[key];
  return typeof value === 'number' ? value : 0;
}

function describeImage(object: KubeObject): string {
  const image = imageOf(object);
  return image ? ` (${image})` : '';
}

function conflictOrAsIs(error: unknown, ref: ObjectRef): unknown {
  if (error instanceof KubeApiError && error.code === 409)
    return new StageFailed(`${refKey(ref)} kept changing while Backtrack wrote it (${error.message}); try again.`);
  if (error instanceof KubeApiError)
    return new StageFailed(`Kubernetes refused ${refKey(ref)}: ${error.message} (HTTP ${error.code}).`);
  return error;
}
