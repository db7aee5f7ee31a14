// The deployment controller's decisions (kubernetes/kubernetes pkg/controller/deployment: sync.go, rolling.go,
// progress.go, util/deployment_util.go) as plain functions over Deployments and their ReplicaSets.
import { randomInt } from 'node:crypto';
import { canonicalJson, deepEqual, isObject, type JsonObject, type JsonValue } from './json.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
export const HASH_LABEL = 'pod-template-hash';
/** revision-history is trimmed from the front to stay within this many characters. */
const REVISION_HISTORY_MAX = 2000;

/** Deployment annotations the controller does not copy to its ReplicaSets. */
const NOT_COPIED = new Set([
  LAST_APPLIED,
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);

/** What the rules read of a ReplicaSet. */
export interface ReplicaSetView {
  readonly name: string;
  readonly creationTimestamp: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly template: JsonObject;
  readonly specReplicas: number;
  readonly replicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
}

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** apimachinery's rand.SafeEncodeString: no vowels, no look-alike characters. */
function safeEncode(text: string): string {
  let encoded = '';
  for (let i = 0; i < text.length; i++) encoded += ALPHANUMS[text.charCodeAt(i) % ALPHANUMS.length]!;
  return encoded;
}

/** Five random characters, the way generated names (`generateName`, pod names) end. */
export function randomSuffix(): string {
  return safeEncode(String(randomInt(0, 2 ** 32)).padStart(10, '0')).slice(-5);
}

/** FNV-1a (32 bit) of the text's UTF-8 bytes. */
function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The `pod-template-hash` of a template: FNV-1a over the template (hash label left out) and the collision count. */
export function podTemplateHash(template: JsonObject, collisionCount: number): string {
  const text = canonicalJson(withoutHashLabel(template)) + (collisionCount > 0 ? String(collisionCount) : '');
  return safeEncode(String(fnv1a32(text)));
}

/** A copy of a pod template without the `pod-template-hash` label. */
function withoutHashLabel(template: JsonObject): JsonObject {
  const copy = structuredClone(template);
  const metadata = copy.metadata;
  if (isObject(metadata) && isObject(metadata.labels)) {
    Reflect.deleteProperty(metadata.labels, HASH_LABEL);
    if (Object.keys(metadata.labels).length === 0) delete metadata.labels;
  }
  return copy;
}

/** Templates equal once the hash label is ignored (EqualIgnoreHash). */
export const templatesMatch = (a: JsonObject, b: JsonObject) => deepEqual(withoutHashLabel(a), withoutHashLabel(b));

export function revisionOf(annotations: Readonly<Record<string, string>> | undefined): number {
  const value = Number(annotations?.[REVISION] ?? '0');
  return Number.isInteger(value) && value > 0 ? value : 0;
}

const byAge = (a: ReplicaSetView, b: ReplicaSetView) =>
  a.creationTimestamp === b.creationTimestamp
    ? a.name.localeCompare(b.name)
    : a.creationTimestamp.localeCompare(b.creationTimestamp);

/** The new ReplicaSet: the oldest whose template matches the Deployment's; every other is old. */
export function splitReplicaSets<R extends ReplicaSetView>(
  template: JsonObject,
  replicaSets: readonly R[],
): { newRs: R | undefined; oldRss: R[] } {
  const sorted = [...replicaSets].sort(byAge);
  const newRs = sorted.find((rs) => templatesMatch(rs.template, template));
  return { newRs, oldRss: sorted.filter((rs) => rs !== newRs) };
}

/** Max revision of the old ReplicaSets plus one. */
export function nextRevision(oldRss: readonly ReplicaSetView[]): number {
  return Math.max(0, ...oldRss.map((rs) => revisionOf(rs.annotations))) + 1;
}

/**
 * The annotations of the new ReplicaSet: the Deployment's (minus the controller's own), the revision raised to
 * `newRevision` when lower (the old number going to revision-history), and the replica counts.
 */
export function newReplicaSetAnnotations(
  current: Readonly<Record<string, string>>,
  deploymentAnnotations: Readonly<Record<string, string>>,
  newRevision: number,
  replicas: number,
  maxSurge: number,
): Record<string, string> {
  const result: Record<string, string> = { ...current };
  for (const [key, value] of Object.entries(deploymentAnnotations)) if (!NOT_COPIED.has(key)) result[key] = value;
  const oldRevision = revisionOf(current);
  if (oldRevision < newRevision) {
    if (oldRevision > 0) {
      let history = current[REVISION_HISTORY] ? `${current[REVISION_HISTORY]},${oldRevision}` : String(oldRevision);
      while (history.length > REVISION_HISTORY_MAX && history.includes(','))
        history = history.slice(history.indexOf(',') + 1);
      result[REVISION_HISTORY] = history;
    }
    result[REVISION] = String(newRevision);
  }
  result[DESIRED_REPLICAS] = String(replicas);
  result[MAX_REPLICAS] = String(replicas + maxSurge);
  return result;
}

/** An int-or-percent value (`2`, `"25%"`) against a total; percentages round up or down as asked. */
export function scaledValue(value: JsonValue | undefined, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const percent = /^(\d+)%$/.exec(value);
    if (percent) {
      const exact = (Number(percent[1]) * total) / 100;
      return roundUp ? Math.ceil(exact) : Math.floor(exact);
    }
    if (/^\d+$/.test(value)) return Number(value);
  }
  return 0;
}

/** maxSurge and maxUnavailable as numbers; both 0 would stall a rollout, so maxUnavailable becomes 1. */
export function resolveFenceposts(
  maxSurge: JsonValue | undefined,
  maxUnavailable: JsonValue | undefined,
  replicas: number,
): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge, replicas, true);
  const unavailable = scaledValue(maxUnavailable, replicas, false);
  return { surge, unavailable: surge === 0 && unavailable === 0 ? 1 : Math.min(unavailable, replicas) };
}

const sum = (rss: readonly ReplicaSetView[], field: (rs: ReplicaSetView) => number) =>
  rss.reduce((total, rs) => total + field(rs), 0);

/** Replicas the new ReplicaSet should have now: up to `replicas`, never more than `replicas + surge` pods in all. */
export function newReplicaSetScale(
  replicas: number,
  surge: number,
  newRs: ReplicaSetView,
  allRss: readonly ReplicaSetView[],
): number {
  if (newRs.specReplicas >= replicas) return replicas;
  const current = sum(allRss, (rs) => rs.specReplicas);
  const room = replicas + surge - current;
  if (room <= 0) return newRs.specReplicas;
  return newRs.specReplicas + Math.min(room, replicas - newRs.specReplicas);
}

/**
 * New replica counts for the old ReplicaSets (oldest first): unhealthy pods go first, then available ones as long
 * as `replicas - unavailable` pods stay available. Only changed ReplicaSets are in the answer.
 */
export function oldReplicaSetScales(
  replicas: number,
  unavailable: number,
  newRs: ReplicaSetView,
  oldRss: readonly ReplicaSetView[],
): Map<string, number> {
  const scales = new Map<string, number>();
  const olds = [...oldRss].sort(byAge);
  if (sum(olds, (rs) => rs.specReplicas) === 0) return scales;
  const all = [newRs, ...olds];
  const minAvailable = replicas - unavailable;
  const newUnavailable = Math.max(0, newRs.specReplicas - newRs.availableReplicas);
  const maxScaledDown = sum(all, (rs) => rs.specReplicas) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return scales;
  const specOf = (rs: ReplicaSetView) => scales.get(rs.name) ?? rs.specReplicas;
  let unhealthyDown = 0;
  for (const rs of olds) {
    if (unhealthyDown >= maxScaledDown) break;
    const unhealthy = rs.specReplicas - rs.availableReplicas;
    if (rs.specReplicas === 0 || unhealthy <= 0) continue;
    const down = Math.min(maxScaledDown - unhealthyDown, unhealthy);
    scales.set(rs.name, rs.specReplicas - down);
    unhealthyDown += down;
  }
  const available = sum(all, (rs) => rs.availableReplicas);
  if (available <= minAvailable) return scales;
  const toScaleDown = available - minAvailable;
  let scaledDown = 0;
  for (const rs of olds) {
    if (scaledDown >= toScaleDown) break;
    const spec = specOf(rs);
    if (spec === 0) continue;
    const down = Math.min(spec, toScaleDown - scaledDown);
    scales.set(rs.name, spec - down);
    scaledDown += down;
  }
  return scales;
}

/** Old ReplicaSets to delete beyond `revisionHistoryLimit`, lowest revision first; only empty ones go. */
export function replicaSetsToCleanUp(limit: number, oldRss: readonly ReplicaSetView[]): string[] {
  const empty = oldRss
    .filter((rs) => rs.specReplicas === 0 && rs.replicas === 0)
    .sort((a, b) => revisionOf(a.annotations) - revisionOf(b.annotations) || byAge(a, b));
  const excess = oldRss.length - limit;
  return excess > 0 ? empty.slice(0, excess).map((rs) => rs.name) : [];
}

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly lastUpdateTime: string;
  readonly lastTransitionTime: string;
  readonly reason: string;
  readonly message: string;
}

export interface DeploymentCounts {
  readonly replicas: number;
  readonly updatedReplicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
  readonly unavailableReplicas: number;
}

/** The replica counts of a Deployment's status from its ReplicaSets. */
export function deploymentCounts(
  newRs: ReplicaSetView | undefined,
  allRss: readonly ReplicaSetView[],
): DeploymentCounts {
  const availableReplicas = sum(allRss, (rs) => rs.availableReplicas);
  return {
    replicas: sum(allRss, (rs) => rs.replicas),
    updatedReplicas: newRs?.replicas ?? 0,
    readyReplicas: sum(allRss, (rs) => rs.readyReplicas),
    availableReplicas,
    unavailableReplicas: Math.max(0, sum(allRss, (rs) => rs.specReplicas) - availableReplicas),
  };
}

/** DeploymentComplete: every desired replica updated and available, nothing old left. */
export const isComplete = (replicas: number, c: DeploymentCounts) =>
  c.updatedReplicas === replicas && c.replicas === replicas && c.availableReplicas === replicas;

/** Sets a condition; an unchanged status and reason leaves it as it was, a changed reason keeps the transition time. */
export function setCondition(conditions: readonly Condition[], next: Condition): Condition[] {
  const current = conditions.find((c) => c.type === next.type);
  if (current && current.status === next.status && current.reason === next.reason) return [...conditions];
  const condition =
    current && current.status === next.status ? { ...next, lastTransitionTime: current.lastTransitionTime } : next;
  return [...conditions.filter((c) => c.type !== next.type), condition];
}

export interface ProgressInput {
  readonly replicas: number;
  readonly maxUnavailable: number;
  /** Absent: no deadline, no Progressing condition. */
  readonly progressDeadlineSeconds?: number;
  readonly newRsName?: string;
  readonly previous: DeploymentCounts;
  readonly counts: DeploymentCounts;
  readonly conditions: readonly Condition[];
  readonly now: string;
}

const condition = (
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
  now: string,
): Condition => ({ type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message });

/** The Available and Progressing conditions after a sync (calculateStatus and syncRolloutStatus). */
export function rolloutConditions(input: ProgressInput): Condition[] {
  const { counts, previous, now } = input;
  let conditions = setCondition(
    input.conditions,
    counts.availableReplicas >= input.replicas - input.maxUnavailable
      ? condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', now)
      : condition(
          'Available',
          'False',
          'MinimumReplicasUnavailable',
          'Deployment does not have minimum availability.',
          now,
        ),
  );
  if (input.progressDeadlineSeconds === undefined) return conditions.filter((c) => c.type !== 'Progressing');
  const subject = input.newRsName === undefined ? 'Deployment' : `ReplicaSet "${input.newRsName}"`;
  const current = conditions.find((c) => c.type === 'Progressing');
  const progressed =
    counts.updatedReplicas > previous.updatedReplicas ||
    counts.replicas - counts.updatedReplicas < previous.replicas - previous.updatedReplicas ||
    counts.readyReplicas > previous.readyReplicas ||
    counts.availableReplicas > previous.availableReplicas;
  if (isComplete(input.replicas, counts)) {
    conditions = setCondition(
      conditions,
      condition('Progressing', 'True', 'NewReplicaSetAvailable', `${subject} has successfully progressed.`, now),
    );
  } else if (progressed) {
    const next = condition('Progressing', 'True', 'ReplicaSetUpdated', `${subject} is progressing.`, now);
    conditions = [
      ...conditions.filter((c) => c.type !== 'Progressing'),
      current?.status === 'True' ? { ...next, lastTransitionTime: current.lastTransitionTime } : next,
    ];
  } else if (current && current.reason !== 'NewReplicaSetAvailable') {
    const deadline = Date.parse(current.lastUpdateTime) + input.progressDeadlineSeconds * 1000;
    if (current.reason === 'ProgressDeadlineExceeded' || deadline < Date.parse(now)) {
      conditions = setCondition(
        conditions,
        condition('Progressing', 'False', 'ProgressDeadlineExceeded', `${subject} has timed out progressing.`, now),
      );
    }
  }
  return conditions;
}

/** The condition set when a rollout starts with a new ReplicaSet or finds an existing one for the template. */
export function rolloutStartCondition(created: boolean, rsName: string, now: string): Condition {
  return created
    ? condition('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${rsName}"`, now)
    : condition('Progressing', 'True', 'FoundNewReplicaSet', `Found new replica set "${rsName}"`, now);
}
