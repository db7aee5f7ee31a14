import type { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { withRetry, type RetryPolicy } from '../../common/retry.js';
import { StageFailed } from '../provider.js';
import { clientNode } from './client-node.js';
import type { KubeObject } from './kube-objects.js';
import { plainJson, refKey, type ObjectRef } from './kubernetes-spec.js';
import type { JsonPatchOperation } from './undo-plan.js';

/** Answers worth another try: the API server or a proxy in front of it was busy or briefly away. */
const RETRYABLE_CODES = new Set([429, 500, 502, 503, 504]);
const RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 200, maxDelayMs: 2_000 };

/** The API server's answer to a refused call, kept as the Status code, reason and sentence. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

type Body = Record<string, unknown>;

/** The typed API clients of one cluster connection (they keep their HTTP connections alive between calls). */
export interface KubeApis {
  apps: AppsV1Api;
  core: CoreV1Api;
}

/** The APIs over a KubeConfig (made by kubeConfigFor, so client-node is loaded). */
export function kubeApis(config: KubeConfig): KubeApis {
  const { AppsV1Api, CoreV1Api } = clientNode.get();
  return { apps: config.makeApiClient(AppsV1Api), core: config.makeApiClient(CoreV1Api) };
}
type Verbs = {
  read(name: string, namespace: string): Promise<unknown>;
  create(namespace: string, body: Body): Promise<unknown>;
  replace(name: string, namespace: string, body: Body): Promise<unknown>;
  remove(name: string, namespace: string): Promise<unknown>;
};

/**
 * The calls the provider makes, over @kubernetes/client-node's typed APIs, one HTTP request each (retried on 429 and
 * 5xx, each retry a new request). Objects come back as plain JSON. A refused call throws KubeApiError (404 and 409
 * are for the caller to handle); after the retries, a StageFailed naming the object and the server's sentence.
 */
export class KubeClient {
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  private readonly verbs: Record<ObjectRef['kind'], Verbs>;

  constructor(
    apis: KubeApis,
    private readonly signal?: AbortSignal,
  ) {
    this.apps = apis.apps;
    this.core = apis.core;
    const apps = this.apps;
    const core = this.core;
    this.verbs = {
      Deployment: {
        read: (name, namespace) => apps.readNamespacedDeployment({ name, namespace }),
        create: (namespace, body) => apps.createNamespacedDeployment({ namespace, body }),
        replace: (name, namespace, body) => apps.replaceNamespacedDeployment({ name, namespace, body }),
        remove: (name, namespace) => apps.deleteNamespacedDeployment({ name, namespace }),
      },
      ConfigMap: {
        read: (name, namespace) => core.readNamespacedConfigMap({ name, namespace }),
        create: (namespace, body) => core.createNamespacedConfigMap({ namespace, body }),
        replace: (name, namespace, body) => core.replaceNamespacedConfigMap({ name, namespace, body }),
        remove: (name, namespace) => core.deleteNamespacedConfigMap({ name, namespace }),
      },
      Service: {
        read: (name, namespace) => core.readNamespacedService({ name, namespace }),
        create: (namespace, body) => core.createNamespacedService({ namespace, body }),
        replace: (name, namespace, body) => core.replaceNamespacedService({ name, namespace, body }),
        remove: (name, namespace) => core.deleteNamespacedService({ name, namespace }),
      },
      Secret: {
        read: (name, namespace) => core.readNamespacedSecret({ name, namespace }),
        create: (namespace, body) => core.createNamespacedSecret({ namespace, body }),
        replace: (name, namespace, body) => core.replaceNamespacedSecret({ name, namespace, body }),
        remove: (name, namespace) => core.deleteNamespacedSecret({ name, namespace }),
      },
    };
  }

  /** The object, or null when it does not exist. */
  async read(ref: ObjectRef): Promise<KubeObject | null> {
    try {
      return await this.call('read', ref, () => this.verbs[ref.kind].read(ref.name, ref.namespace));
    } catch (error) {
      if (error instanceof KubeApiError && error.code === 404) return null;
      throw error;
    }
  }

  create(ref: ObjectRef, body: Body): Promise<KubeObject> {
    return this.call('create', ref, () => this.verbs[ref.kind].create(ref.namespace, withPlace(body, ref)));
  }

  /** PUT; `body.metadata.resourceVersion` makes it conditional (409 when the object changed meanwhile). */
  replace(ref: ObjectRef, body: Body): Promise<KubeObject> {
    return this.call('replace', ref, () => this.verbs[ref.kind].replace(ref.name, ref.namespace, withPlace(body, ref)));
  }

  /** Deletes the object; false when it was already gone (404 counts as done). */
  async remove(ref: ObjectRef): Promise<boolean> {
    try {
      await this.call('delete', ref, () => this.verbs[ref.kind].remove(ref.name, ref.namespace));
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.code === 404) return false;
      throw error;
    }
  }

  /** A JSON patch (RFC 6902) of a Deployment: what `kubectl rollout undo` sends. */
  patchDeployment(ref: ObjectRef, patch: JsonPatchOperation[]): Promise<KubeObject> {
    const { PatchStrategy, setHeaderOptions } = clientNode.get();
    return this.call('patch', ref, () =>
      this.apps.patchNamespacedDeployment(
        { name: ref.name, namespace: ref.namespace, body: patch },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      ),
    );
  }

  /** Every ReplicaSet of a namespace (one call for all the stage's Deployments there; owners are filtered after). */
  async replicaSets(namespace: string): Promise<KubeObject[]> {
    const list = await this.call('list ReplicaSets of', { kind: 'Deployment', namespace, name: '*' }, () =>
      this.apps.listNamespacedReplicaSet({ namespace }),
    );
    return Array.isArray(list.items) ? (list.items as KubeObject[]) : [];
  }

  private async call(verb: string, ref: ObjectRef, send: () => Promise<unknown>): Promise<KubeObject> {
    try {
      const answer = await withRetry(
        async () => {
          try {
            return await send();
          } catch (error) {
            throw toKubeApiError(error);
          }
        },
        {
          policy: RETRY,
          signal: this.signal,
          retryable: (error) => !(error instanceof KubeApiError) || RETRYABLE_CODES.has(error.code),
        },
      );
      return plainJson<KubeObject | undefined>(answer) ?? {};
    } catch (error) {
      if (error instanceof KubeApiError && (error.code === 404 || error.code === 409)) throw error;
      const what = ref.name === '*' ? `${verb} namespace ${ref.namespace}` : `${verb} ${refKey(ref)}`;
      if (error instanceof KubeApiError)
        throw new StageFailed(`Kubernetes refused to ${what}: ${error.message} (HTTP ${error.code}).`);
      throw new StageFailed(`Kubernetes could not be reached to ${what}: ${(error as Error).message}`);
    }
  }
}

/** The manifest's own namespace follows the stage's (a manifest without one goes where the stage says). */
function withPlace(body: Body, ref: ObjectRef): Body {
  const metadata = (body.metadata ?? {}) as Body;
  return { ...body, metadata: { ...metadata, name: ref.name, namespace: ref.namespace } };
}

/** A client-node ApiException as the Status the server sent; anything else (network) as it is. */
export function toKubeApiError(error: unknown): unknown {
  const k8s = clientNode.loaded;
  if (k8s === undefined || !(error instanceof k8s.ApiException)) return error;
  const body: unknown = error.body;
  let status: Record<string, unknown> = {};
  if (typeof body === 'string') {
    try {
      status = JSON.parse(body) as Record<string, unknown>;
    } catch {
      status = { message: body.slice(0, 300) };
    }
  } else if (body && typeof body === 'object') status = body as Record<string, unknown>;
  const code = error.code;
  const message = typeof status.message === 'string' ? status.message : `HTTP ${code}`;
  return new KubeApiError(code, typeof status.reason === 'string' ? status.reason : '', message);
}
