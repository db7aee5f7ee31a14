// Pods as the ReplicaSet controller and the kubelet would make them: created from the template, Running and Ready
// `podReadySeconds` after they start, or stuck in CrashLoopBackOff when a fault says the rollout never becomes
// available.
import { timestampOf } from './clock.js';
import { isObject, type JsonObject } from './json.js';

const NODE_NAME = 'emulator-node';
const STUCK_REASON = 'CrashLoopBackOff';

interface Owner {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly template: JsonObject;
}

const containersOf = (spec: JsonObject) => (Array.isArray(spec.containers) ? spec.containers : []).filter(isObject);

function containerStatuses(spec: JsonObject, state: 'waiting' | 'running', since: string): JsonObject[] {
  const containerState: JsonObject =
    state === 'running'
      ? { running: { startedAt: since } }
      : { waiting: { reason: STUCK_REASON, message: 'back-off restarting failed container (emulator fault)' } };
  return containersOf(spec).map((c) => ({
    name: c.name ?? '',
    image: c.image ?? '',
    imageID: '',
    ready: state === 'running',
    started: state === 'running',
    restartCount: 0,
    state: containerState,
  }));
}

function readyCondition(ready: boolean, at: string): JsonObject[] {
  const status = ready ? 'True' : 'False';
  return ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
    type,
    status: type === 'Initialized' || type === 'PodScheduled' ? 'True' : status,
    lastProbeTime: null,
    lastTransitionTime: at,
  }));
}

/** A new pod of a ReplicaSet, started `now`; `stuck` pods never become ready. */
export function newPod(owner: Owner, suffix: string, now: string, stuck: boolean): JsonObject {
  const templateMeta = isObject(owner.template.metadata) ? owner.template.metadata : {};
  const spec = isObject(owner.template.spec) ? structuredClone(owner.template.spec) : {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${owner.name}-${suffix}`,
      generateName: `${owner.name}-`,
      namespace: owner.namespace,
      labels: structuredClone(templateMeta.labels ?? {}),
      ...(isObject(templateMeta.annotations) ? { annotations: structuredClone(templateMeta.annotations) } : {}),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: owner.name,
          uid: owner.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { ...spec, nodeName: NODE_NAME },
    status: {
      phase: stuck ? 'Running' : 'Pending',
      conditions: readyCondition(false, now),
      hostIP: '10.0.0.10',
      startTime: now,
      ...(stuck ? { containerStatuses: containerStatuses(spec, 'waiting', now) } : {}),
      qosClass: 'BestEffort',
    },
  };
}

export function isStuck(pod: JsonObject): boolean {
  const status = isObject(pod.status) ? pod.status : {};
  const statuses = Array.isArray(status.containerStatuses) ? status.containerStatuses.filter(isObject) : [];
  return statuses.some(
    (s) => isObject(s.state) && isObject(s.state.waiting) && s.state.waiting.reason === STUCK_REASON,
  );
}

/** When the pod became ready, or undefined while it is not. */
export function readySince(pod: JsonObject): string | undefined {
  const status = isObject(pod.status) ? pod.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isObject) : [];
  const ready = conditions.find((c) => c.type === 'Ready');
  return ready?.status === 'True' && typeof ready.lastTransitionTime === 'string'
    ? ready.lastTransitionTime
    : undefined;
}

/** Ready for at least `minReadySeconds` (what makes a replica available). */
export function isAvailable(pod: JsonObject, minReadySeconds: number, now: Date): boolean {
  const since = readySince(pod);
  return since !== undefined && Date.parse(since) + minReadySeconds * 1000 <= now.getTime();
}

/** The pod's status at `now`: a pod that is not stuck turns Running and Ready `podReadySeconds` after it started. */
export function podStatusAt(
  pod: JsonObject,
  now: Date,
  podReadySeconds: number,
  podIp: string,
): JsonObject | undefined {
  const status = isObject(pod.status) ? pod.status : {};
  if (isStuck(pod) || readySince(pod) !== undefined || typeof status.startTime !== 'string') return undefined;
  const readyAt = Date.parse(status.startTime) + podReadySeconds * 1000;
  if (readyAt > now.getTime()) return undefined;
  const at = timestampOf(new Date(readyAt));
  const spec = isObject(pod.spec) ? pod.spec : {};
  return {
    ...status,
    phase: 'Running',
    conditions: readyCondition(true, at),
    podIP: podIp,
    podIPs: [{ ip: podIp }],
    containerStatuses: containerStatuses(spec, 'running', at),
  };
}

/** Which pods a shrinking ReplicaSet removes: pods that are not ready first, then the newest. */
export function podsToRemove(pods: readonly JsonObject[], count: number): JsonObject[] {
  const created = (p: JsonObject) =>
    isObject(p.metadata) && typeof p.metadata.creationTimestamp === 'string' ? p.metadata.creationTimestamp : '';
  const nameOf = (p: JsonObject) =>
    isObject(p.metadata) && typeof p.metadata.name === 'string' ? p.metadata.name : '';
  return [...pods]
    .sort(
      (a, b) =>
        Number(readySince(a) !== undefined) - Number(readySince(b) !== undefined) ||
        created(b).localeCompare(created(a)) ||
        nameOf(b).localeCompare(nameOf(a)),
    )
    .slice(0, Math.max(0, count));
}
