// The controllers of the emulated cluster, run after every write and on a timer: the deployment controller
// (ReplicaSet per template, revisions, rolling or recreate scaling, history limit, status), the ReplicaSet controller
// with a kubelet stand-in (pods that start and become ready over simulated time) and the garbage collector.
import { timestampOf, type SimulatedClock } from './clock.js';
import {
  deploymentCounts,
  HASH_LABEL,
  isComplete,
  newReplicaSetAnnotations,
  newReplicaSetScale,
  nextRevision,
  oldReplicaSetScales,
  REVISION,
  replicaSetsToCleanUp,
  resolveFenceposts,
  revisionOf,
  rolloutConditions,
  rolloutStartCondition,
  randomSuffix,
  setCondition,
  splitReplicaSets,
  templatesMatch,
  podTemplateHash,
  type Condition,
  type DeploymentCounts,
  type ReplicaSetView,
} from './deployment-rules.js';
import { deepEqual, isObject, type JsonObject } from './json.js';
import type { KubeObject, ObjectStore } from './object-store.js';
import { isAvailable, newPod, podStatusAt, podsToRemove, readySince } from './pod-rules.js';
import { DEPLOYMENTS, PODS, REPLICA_SETS } from './resource-types.js';
import { matchesLabels, requirementsOf } from './selectors.js';

/** What a fault decides on: the pods about to start for a Deployment's ReplicaSet. */
export interface RolloutTarget {
  readonly namespace: string;
  readonly deployment?: string;
  readonly images: readonly string[];
}

export interface ControllerOptions {
  /** Simulated seconds from a pod's start to Ready. */
  readonly podReadySeconds: number;
  /** True when pods for this target must never become ready (fault injection). */
  readonly neverAvailable: (target: RolloutTarget) => boolean;
}

/** A sync settles within a few passes; the cap only guards against a rule that keeps flipping. */
const MAX_PASSES = 25;

const str = (value: unknown) => (typeof value === 'string' ? value : '');
const num = (value: unknown) => (typeof value === 'number' ? value : 0);
const obj = (value: unknown): JsonObject => (isObject(value) ? value : {});
const annotationsOf = (o: KubeObject) => obj(o.metadata.annotations) as Record<string, string>;

function controllerUid(o: KubeObject): string | undefined {
  const refs = Array.isArray(o.metadata.ownerReferences) ? o.metadata.ownerReferences.filter(isObject) : [];
  const ref = refs.find((r) => r.controller === true);
  return ref && str(ref.uid);
}

function controllerName(o: KubeObject): string | undefined {
  const refs = Array.isArray(o.metadata.ownerReferences) ? o.metadata.ownerReferences.filter(isObject) : [];
  const ref = refs.find((r) => r.controller === true);
  return ref && str(ref.name);
}

function viewOf(rs: KubeObject): ReplicaSetView & { readonly object: KubeObject } {
  const spec = obj(rs.spec);
  const status = obj(rs.status);
  return {
    object: rs,
    name: rs.metadata.name,
    creationTimestamp: rs.metadata.creationTimestamp,
    annotations: annotationsOf(rs),
    template: obj(spec.template),
    specReplicas: num(spec.replicas),
    replicas: num(status.replicas),
    readyReplicas: num(status.readyReplicas),
    availableReplicas: num(status.availableReplicas),
  };
}

/** The replica counts a Deployment's status holds (absent = 0). */
function countsOf(status: JsonObject): DeploymentCounts {
  return {
    replicas: num(status.replicas),
    updatedReplicas: num(status.updatedReplicas),
    readyReplicas: num(status.readyReplicas),
    availableReplicas: num(status.availableReplicas),
    unavailableReplicas: num(status.unavailableReplicas),
  };
}

/** Status integers are omitempty: zero is sent as an absent field. */
function withoutZeros(values: Record<string, number>): JsonObject {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== 0));
}

export class ClusterController {
  private podIps = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: SimulatedClock,
    private readonly options: ControllerOptions,
  ) {}

  /** Runs every controller until nothing changes. */
  sync(): void {
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const before = this.store.resourceVersion();
      this.collectGarbage();
      for (const deployment of this.store.list(DEPLOYMENTS)) this.syncDeployment(deployment);
      for (const rs of this.store.list(REPLICA_SETS)) this.syncReplicaSet(rs);
      if (this.store.resourceVersion() === before) return;
    }
  }

  /** Whether any Deployment is still rolling out (not complete and not past its deadline). */
  rolling(): boolean {
    return this.store.list(DEPLOYMENTS).some((d) => {
      const spec = obj(d.spec);
      const status = obj(d.status);
      const conditions = (Array.isArray(status.conditions) ? status.conditions : []) as unknown as Condition[];
      const failed = conditions.some((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
      const observed = num(status.observedGeneration) >= num(d.metadata.generation);
      return !spec.paused && !failed && !(observed && isComplete(num(spec.replicas), countsOf(status)));
    });
  }

  private owned(type: typeof REPLICA_SETS, owner: KubeObject): KubeObject[] {
    return this.store.listWhere(type, owner.metadata.namespace, (o) => controllerUid(o) === owner.metadata.uid);
  }

  private collectGarbage(): void {
    const deployments = this.store.uids(DEPLOYMENTS);
    for (const rs of this.store.listWhere(REPLICA_SETS, undefined, (o) => !deployments.has(controllerUid(o) ?? ''))) {
      const owner = controllerUid(rs);
      if (owner !== undefined && !deployments.has(owner))
        this.store.delete(REPLICA_SETS, rs.metadata.namespace, rs.metadata.name);
    }
    const replicaSets = this.store.uids(REPLICA_SETS);
    for (const pod of this.store.listWhere(PODS, undefined, (o) => !replicaSets.has(controllerUid(o) ?? ''))) {
      const owner = controllerUid(pod);
      if (owner !== undefined && !replicaSets.has(owner))
        this.store.delete(PODS, pod.metadata.namespace, pod.metadata.name);
    }
  }

  private createReplicaSet(
    deployment: KubeObject,
    revision: number,
    surge: number,
  ): { name: string; collisionCount: number } {
    const spec = obj(deployment.spec);
    const template = obj(spec.template);
    const status = obj(deployment.status);
    const namespace = deployment.metadata.namespace;
    for (let collisionCount = num(status.collisionCount); ; collisionCount++) {
      const hash = podTemplateHash(template, collisionCount);
      const name = `${deployment.metadata.name}-${hash}`;
      const existing = this.store.get(REPLICA_SETS, namespace, name);
      if (existing) {
        if (
          controllerUid(existing) === deployment.metadata.uid &&
          templatesMatch(obj(obj(existing.spec).template), template)
        )
          return { name, collisionCount };
        continue;
      }
      const newTemplate = structuredClone(template);
      const templateMeta = obj(newTemplate.metadata);
      templateMeta.labels = { ...obj(templateMeta.labels), [HASH_LABEL]: hash };
      newTemplate.metadata = templateMeta;
      const selector = structuredClone(obj(spec.selector));
      selector.matchLabels = { ...obj(selector.matchLabels), [HASH_LABEL]: hash };
      this.store.create(REPLICA_SETS, {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name,
          namespace,
          labels: { ...obj(templateMeta.labels) },
          annotations: newReplicaSetAnnotations({}, annotationsOf(deployment), revision, num(spec.replicas), surge),
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name: deployment.metadata.name,
              uid: deployment.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: { replicas: 0, minReadySeconds: num(spec.minReadySeconds), selector, template: newTemplate },
      });
      return { name, collisionCount };
    }
  }

  private scaleReplicaSet(rs: KubeObject, replicas: number, annotations?: Record<string, string>): void {
    const spec = obj(rs.spec);
    if (spec.replicas === replicas && (!annotations || deepEqual(annotations, annotationsOf(rs)))) return;
    this.store.update(REPLICA_SETS, {
      ...rs,
      metadata: { ...rs.metadata, ...(annotations ? { annotations } : {}) },
      spec: { ...spec, replicas },
    });
  }

  private syncDeployment(deployment: KubeObject): void {
    const spec = obj(deployment.spec);
    const status = obj(deployment.status);
    const template = obj(spec.template);
    const replicas = num(spec.replicas);
    const strategy = obj(spec.strategy);
    const rolling = obj(strategy.rollingUpdate);
    const { surge, unavailable } =
      strategy.type === 'Recreate'
        ? { surge: 0, unavailable: 0 }
        : resolveFenceposts(rolling.maxSurge, rolling.maxUnavailable, replicas);
    const now = timestampOf(this.clock.now());
    let conditions = (Array.isArray(status.conditions) ? status.conditions : []) as unknown as Condition[];
    let collisionCount = num(status.collisionCount);
    const list = () => splitReplicaSets(template, this.owned(REPLICA_SETS, deployment).map(viewOf));

    if (!spec.paused) {
      let { newRs, oldRss } = list();
      const revision = nextRevision(oldRss);
      if (!newRs) {
        const created = this.createReplicaSet(deployment, revision, surge);
        collisionCount = created.collisionCount;
        conditions = setCondition(conditions, rolloutStartCondition(true, created.name, now));
      } else {
        const annotations = newReplicaSetAnnotations(
          newRs.annotations,
          annotationsOf(deployment),
          revision,
          replicas,
          surge,
        );
        if (!deepEqual(annotations, newRs.annotations))
          this.scaleReplicaSet(newRs.object, newRs.specReplicas, annotations);
        if (!conditions.some((c) => c.type === 'Progressing') && spec.progressDeadlineSeconds !== undefined)
          conditions = setCondition(conditions, rolloutStartCondition(false, newRs.name, now));
      }
      ({ newRs, oldRss } = list());
      if (newRs) this.scale(strategy.type === 'Recreate', replicas, surge, unavailable, newRs, oldRss);
    }

    const { newRs, oldRss } = list();
    const all = newRs ? [newRs, ...oldRss] : oldRss;
    const counts = deploymentCounts(newRs, all);
    if (!spec.paused && isComplete(replicas, counts)) {
      const limit = typeof spec.revisionHistoryLimit === 'number' ? spec.revisionHistoryLimit : 10;
      for (const name of replicaSetsToCleanUp(limit, oldRss))
        this.store.delete(REPLICA_SETS, deployment.metadata.namespace, name);
    }
    const previous = countsOf(status);
    conditions = rolloutConditions({
      replicas,
      maxUnavailable: unavailable,
      progressDeadlineSeconds:
        typeof spec.progressDeadlineSeconds === 'number' ? spec.progressDeadlineSeconds : undefined,
      newRsName: newRs?.name,
      previous,
      counts,
      conditions,
      now,
    });
    const nextStatus: JsonObject = {
      ...withoutZeros({ observedGeneration: num(deployment.metadata.generation), ...counts, collisionCount }),
      conditions: conditions as unknown as JsonObject[],
    };
    const annotations = { ...annotationsOf(deployment) };
    if (newRs && revisionOf(newRs.annotations) > 0) annotations[REVISION] = String(revisionOf(newRs.annotations));
    if (deepEqual(nextStatus, status) && deepEqual(annotations, annotationsOf(deployment))) return;
    this.store.update(DEPLOYMENTS, {
      ...deployment,
      metadata: { ...deployment.metadata, annotations },
      status: nextStatus,
    });
  }

  private scale(
    recreate: boolean,
    replicas: number,
    surge: number,
    unavailable: number,
    newRs: ReplicaSetView & { readonly object: KubeObject },
    oldRss: readonly (ReplicaSetView & { readonly object: KubeObject })[],
  ): void {
    if (recreate) {
      const oldRunning = oldRss.filter((rs) => rs.specReplicas > 0 || rs.replicas > 0);
      for (const rs of oldRunning) this.scaleReplicaSet(rs.object, 0);
      if (oldRunning.length === 0) this.scaleReplicaSet(newRs.object, replicas);
      return;
    }
    const newScale = newReplicaSetScale(replicas, surge, newRs, [newRs, ...oldRss]);
    if (newScale !== newRs.specReplicas) {
      this.scaleReplicaSet(newRs.object, newScale);
      return;
    }
    for (const [name, scale] of oldReplicaSetScales(replicas, unavailable, newRs, oldRss)) {
      const rs = oldRss.find((r) => r.name === name);
      if (rs) this.scaleReplicaSet(rs.object, scale);
    }
  }

  private syncReplicaSet(rs: KubeObject): void {
    const spec = obj(rs.spec);
    const now = this.clock.now();
    const namespace = rs.metadata.namespace;
    for (const pod of this.owned(PODS, rs)) {
      const next = podStatusAt(pod, now, this.options.podReadySeconds, `10.244.0.${(this.podIps++ % 250) + 2}`);
      if (next) this.store.update(PODS, { ...pod, status: next });
    }
    let pods = this.owned(PODS, rs);
    const wanted = num(spec.replicas);
    if (pods.length < wanted) {
      const template = obj(spec.template);
      const containers = Array.isArray(obj(template.spec).containers)
        ? (obj(template.spec).containers as JsonObject[])
        : [];
      const stuck = this.options.neverAvailable({
        namespace,
        deployment: controllerName(rs),
        images: containers.map((c) => str(c.image)),
      });
      const owner = { name: rs.metadata.name, namespace, uid: rs.metadata.uid, template };
      for (let i = pods.length; i < wanted; i++) {
        let suffix = randomSuffix();
        while (this.store.get(PODS, namespace, `${owner.name}-${suffix}`)) suffix = randomSuffix();
        this.store.create(PODS, newPod(owner, suffix, timestampOf(now), stuck) as KubeObject);
      }
    } else if (pods.length > wanted) {
      for (const pod of podsToRemove(pods, pods.length - wanted)) {
        const meta = obj(pod.metadata);
        this.store.delete(PODS, namespace, str(meta.name));
      }
    }
    pods = this.owned(PODS, rs);
    const selector = requirementsOf(obj(spec.selector));
    const minReadySeconds = num(spec.minReadySeconds);
    const nextStatus: JsonObject = {
      replicas: pods.length,
      ...withoutZeros({
        fullyLabeledReplicas: pods.filter((p) =>
          matchesLabels(selector, obj(p.metadata.labels) as Record<string, string>),
        ).length,
        readyReplicas: pods.filter((p) => readySince(p) !== undefined).length,
        availableReplicas: pods.filter((p) => isAvailable(p, minReadySeconds, now)).length,
      }),
      observedGeneration: num(rs.metadata.generation),
    };
    if (!deepEqual(nextStatus, obj(rs.status))) this.store.update(REPLICA_SETS, { ...rs, status: nextStatus });
  }
}
