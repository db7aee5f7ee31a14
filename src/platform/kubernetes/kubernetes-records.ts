import type { KubeObject } from './kube-objects.js';
import type { ObjectRef } from './kubernetes-spec.js';

/** What capture recorded of one object of the stage: enough to put it back exactly. */
export interface CapturedObject extends ObjectRef {
  existed: boolean;
  /** The live object without status and server bookkeeping (null when it did not exist). */
  object: KubeObject | null;
  /** Deployments: the revision the Deployment was on (`deployment.kubernetes.io/revision`). */
  revision?: string | null;
  /** Deployments: the pod template of that revision's ReplicaSet, without `pod-template-hash`. */
  revisionTemplate?: Record<string, unknown> | null;
}

/** The rollback data of a `kubernetes` stage. */
export interface KubernetesData {
  objects: CapturedObject[];
}

/** A Deployment as a deploy (or a rollback) left it: what drift, rollback, status and Instances read. */
export interface DeploymentOutput {
  namespace: string;
  name: string;
  /** The revision the controller gave the new template (null if it had not observed the change yet). */
  revision: string | null;
  generation: number;
  /** Hash of the pod template as stored (server defaults included, `pod-template-hash` ignored). */
  templateHash: string;
  image: string | null;
}

export interface KubernetesOutputs {
  deployments: DeploymentOutput[];
  /** The first Deployment's image and revision, for `<+stages.NAME.output.image>` / `.revision`. */
  image: string | null;
  revision: string | null;
}
