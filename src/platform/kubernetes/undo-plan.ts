import { isObject } from '../../common/json.js';
import {
  isOwnedBy,
  revisionOf,
  templateOf,
  templatesEqual,
  uidOf,
  withoutHashLabel,
  type KubeObject,
} from './kube-objects.js';
import type { CapturedObject } from './kubernetes-records.js';

/**
 * Deployment annotations `kubectl rollout undo` keeps from the Deployment rather than taking from the ReplicaSet
 * (kubectl pkg/polymorphichelpers/rollback.go, annotationsToSkip).
 */
const DEPLOYMENT_OWN_ANNOTATIONS = [
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
];

export type JsonPatchOperation = { op: 'replace' | 'add'; path: string; value: unknown };

export type UndoPlan =
  /** The Deployment is gone: create it again as captured. */
  | { action: 'recreate'; object: KubeObject }
  /** The live template already is the captured revision's (a resumed rollback, or a deploy that changed nothing). */
  | { action: 'skip'; reason: string }
  /**
   * One JSON patch, as `kubectl rollout undo` sends: the template of the captured revision's ReplicaSet (without
   * `pod-template-hash`) and that ReplicaSet's annotations. The controller then re-adopts that ReplicaSet and makes it
   * the newest revision. `pruned`: the ReplicaSet is gone (revisionHistoryLimit), so the captured template is used.
   */
  | { action: 'patch'; patch: JsonPatchOperation[]; template: Record<string, unknown>; pruned: boolean };

/**
 * How to undo one Deployment that existed before the stage: from what capture recorded, the Deployment now, and the
 * ReplicaSets in its namespace. The captured revision's ReplicaSet is the owned one whose template is the captured
 * revision template (revision numbers move when a ReplicaSet is re-adopted; templates do not).
 */
export function planUndo(captured: CapturedObject, live: KubeObject | null, replicaSets: KubeObject[]): UndoPlan {
  if (!captured.object) throw new Error(`planUndo needs a captured object (${captured.kind} ${captured.name})`);
  if (!live) return { action: 'recreate', object: captured.object };
  const capturedTemplate = captured.revisionTemplate ?? withoutHashLabel(templateOf(captured.object));
  const uid = uidOf(live);
  const owned = uid ? replicaSets.filter((rs) => isOwnedBy(rs, uid)) : [];
  const matching = owned.filter((rs) => templatesEqual(templateOf(rs), capturedTemplate));
  const replicaSet = matching.find((rs) => revisionOf(rs) === captured.revision) ?? matching[0] ?? null;
  const template = replicaSet ? withoutHashLabel(templateOf(replicaSet)) : capturedTemplate;
  if (templatesEqual(templateOf(live), template))
    return {
      action: 'skip',
      reason: `already on the template of revision ${captured.revision ?? '(none)'}`,
    };
  const liveAnnotations = annotations(live);
  const source = replicaSet ? annotations(replicaSet) : annotations(captured.object);
  const merged: Record<string, string> = {};
  for (const key of DEPLOYMENT_OWN_ANNOTATIONS) if (key in liveAnnotations) merged[key] = liveAnnotations[key]!;
  for (const [key, value] of Object.entries(source)) if (!DEPLOYMENT_OWN_ANNOTATIONS.includes(key)) merged[key] = value;
  return {
    action: 'patch',
    patch: [
      { op: 'replace', path: '/spec/template', value: template },
      // `add` replaces an existing member and creates a missing one (a Deployment without annotations).
      { op: 'add', path: '/metadata/annotations', value: merged },
    ],
    template,
    pruned: !replicaSet,
  };
}

function annotations(object: KubeObject): Record<string, string> {
  const found = object.metadata?.annotations;
  return isObject(found) ? found : {};
}
