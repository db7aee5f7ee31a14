import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  VersionApi,
  Watch,
  type V1Deployment,
} from '@kubernetes/client-node';
import {
  startKubernetesEmulator,
  type KubernetesEmulatorHandle,
} from '../../src/kubernetes-emulator/kubernetes-emulator.server.js';

const REVISION = 'deployment.kubernetes.io/revision';

function clientConfig(emulator: KubernetesEmulatorHandle, token = emulator.token): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'emulator', server: emulator.url, skipTLSVerify: true }],
    users: [{ name: 'emulator', token }],
    contexts: [{ name: 'emulator', cluster: 'emulator', user: 'emulator', namespace: 'default' }],
    currentContext: 'emulator',
  });
  return kc;
}

/** The Status a failing call answered (the call must fail). */
async function failure(call: Promise<unknown>): Promise<{ code: number; status: any }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = error.body as unknown;
    return { code: error.code, status: typeof body === 'string' ? JSON.parse(body) : body };
  }
  throw new Error('the call succeeded');
}

function deployment(name: string, image: string, extra: Partial<V1Deployment['spec']> = {}): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, annotations: { 'kubernetes.io/change-cause': image } },
    spec: {
      replicas: 4,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: 'app', image, ports: [{ containerPort: 8080 }], env: [{ name: 'MODE', value: 'live' }] },
            { name: 'sidecar', image: 'proxy:1' },
          ],
        },
      },
      ...extra,
    },
  };
}

describe('the Kubernetes emulator through @kubernetes/client-node', () => {
  let emulator: KubernetesEmulatorHandle;
  let core: CoreV1Api;
  let apps: AppsV1Api;

  beforeAll(async () => {
    // A slow interval: these tests move simulated time themselves with admin.tick / admin.settle.
    emulator = await startKubernetesEmulator({ port: 0, podReadySeconds: 10, syncIntervalMs: 60_000 });
    const kc = clientConfig(emulator);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
  });
  afterAll(() => emulator.close());

  const replicaSetsOf = async (app: string) =>
    (await apps.listNamespacedReplicaSet({ namespace: 'default', labelSelector: `app=${app}` })).items;

  it('serves discovery: version, groups and resource lists', async () => {
    const version = await clientConfig(emulator).makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toBe('v1.35.0');
    const coreResources = await core.getAPIResources();
    expect(coreResources.resources.map((r) => r.name)).toEqual(
      expect.arrayContaining(['namespaces', 'configmaps', 'secrets', 'services', 'pods']),
    );
    const appsResources = await apps.getAPIResources();
    expect(appsResources.resources.find((r) => r.name === 'deployments/scale')).toMatchObject({
      group: 'autoscaling',
      kind: 'Scale',
    });
  });

  it('refuses a wrong bearer token with a 401 Status', async () => {
    const wrong = clientConfig(emulator, 'not-the-token').makeApiClient(CoreV1Api);
    expect((await failure(wrong.listNamespace())).code).toBe(401);
    // client-node drops the body of a 401; the Status is there on the wire.
    const raw = await fetch(`${emulator.url}/api/v1/namespaces`, {
      headers: { Authorization: 'Bearer not-the-token' },
    });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
    const right = await fetch(`${emulator.url}/api/v1/namespaces`, {
      headers: { Authorization: `Bearer ${emulator.token}` },
    });
    expect(right.status).toBe(200);
    // kubectl sends no token to a plain-http server, so by default a request without one is served; it can be refused.
    expect((await fetch(`${emulator.url}/api/v1/namespaces`)).status).toBe(200);
    const strict = await startKubernetesEmulator({ allowAnonymous: false, tokens: ['only-this'] });
    try {
      expect((await fetch(`${strict.url}/api/v1/namespaces`)).status).toBe(401);
      const allowed = await fetch(`${strict.url}/api/v1/namespaces`, {
        headers: { Authorization: 'Bearer only-this' },
      });
      expect(allowed.status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('creates, reads, replaces and deletes ConfigMaps with resourceVersion conflicts', async () => {
    await core.createNamespace({ body: { metadata: { name: 'team-a' } } });
    const created = await core.createNamespacedConfigMap({
      namespace: 'team-a',
      body: { metadata: { name: 'settings', labels: { tier: 'web' } }, data: { mode: 'blue' } },
    });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    const stale = created.metadata!.resourceVersion!;
    const updated = await core.replaceNamespacedConfigMap({
      name: 'settings',
      namespace: 'team-a',
      body: { metadata: { name: 'settings', resourceVersion: stale }, data: { mode: 'green' } },
    });
    expect(Number(updated.metadata!.resourceVersion)).toBeGreaterThan(Number(stale));

    const conflict = await failure(
      core.replaceNamespacedConfigMap({
        name: 'settings',
        namespace: 'team-a',
        body: { metadata: { name: 'settings', resourceVersion: stale }, data: { mode: 'red' } },
      }),
    );
    expect(conflict.code).toBe(409);
    expect(conflict.status).toMatchObject({
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: 'settings', kind: 'configmaps' },
    });
    // Without a resourceVersion the update is unconditional (what Helm's Secret driver relies on).
    const unconditional = await core.replaceNamespacedConfigMap({
      name: 'settings',
      namespace: 'team-a',
      body: { metadata: { name: 'settings' }, data: { mode: 'red' } },
    });
    expect(unconditional.data).toEqual({ mode: 'red' });

    const duplicate = await failure(
      core.createNamespacedConfigMap({ namespace: 'team-a', body: { metadata: { name: 'settings' } } }),
    );
    expect(duplicate.code).toBe(409);
    expect(duplicate.status.reason).toBe('AlreadyExists');

    await core.deleteNamespacedConfigMap({ name: 'settings', namespace: 'team-a' });
    const gone = await failure(core.readNamespacedConfigMap({ name: 'settings', namespace: 'team-a' }));
    expect(gone.code).toBe(404);
    expect(gone.status).toMatchObject({ reason: 'NotFound', message: 'configmaps "settings" not found' });

    const noNamespace = await failure(
      core.createNamespacedConfigMap({ namespace: 'nowhere', body: { metadata: { name: 'x' } } }),
    );
    expect(noNamespace.code).toBe(404);
    expect(noNamespace.status.message).toBe('namespaces "nowhere" not found');
  });

  it('stores Secrets the way Helm lists its releases: base64 data and equality label selectors', async () => {
    for (const version of [1, 2, 3]) {
      await core.createNamespacedSecret({
        namespace: 'default',
        body: {
          metadata: {
            name: `sh.helm.release.v1.shop.v${version}`,
            labels: {
              name: 'shop',
              owner: 'helm',
              status: version === 3 ? 'deployed' : 'superseded',
              version: `${version}`,
            },
          },
          type: 'helm.sh/release.v1',
          stringData: { release: `release ${version}` },
        },
      });
    }
    const history = await core.listNamespacedSecret({ namespace: 'default', labelSelector: 'name=shop,owner=helm' });
    expect(history.items.map((s) => s.metadata?.name)).toEqual([
      'sh.helm.release.v1.shop.v1',
      'sh.helm.release.v1.shop.v2',
      'sh.helm.release.v1.shop.v3',
    ]);
    expect(Number(history.metadata?.resourceVersion)).toBeGreaterThan(0);
    const deployed = await core.listNamespacedSecret({
      namespace: 'default',
      labelSelector: 'name=shop,owner=helm,status=deployed',
    });
    expect(deployed.items.map((s) => Buffer.from(s.data!.release!, 'base64').toString())).toEqual(['release 3']);
    const notIn = await core.listNamespacedSecret({
      namespace: 'default',
      labelSelector: 'owner=helm,version notin (1,3)',
    });
    expect(notIn.items.map((s) => s.metadata?.labels?.version)).toEqual(['2']);
    const bad = await failure(core.listNamespacedSecret({ namespace: 'default', labelSelector: 'name==,=x' }));
    expect(bad.code).toBe(400);
    expect(bad.status.reason).toBe('BadRequest');
  });

  it('rolls a Deployment out over simulated time within maxSurge and maxUnavailable', async () => {
    await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('shop', 'shop:1') });
    emulator.admin.settle();
    let current = await apps.readNamespacedDeployment({ name: 'shop', namespace: 'default' });
    expect(current.status).toMatchObject({
      replicas: 4,
      updatedReplicas: 4,
      availableReplicas: 4,
      observedGeneration: 1,
    });
    expect(current.metadata?.annotations?.[REVISION]).toBe('1');

    // A strategic merge patch changes one container's image by name and keeps the rest of the template.
    current = await apps.patchNamespacedDeployment(
      {
        name: 'shop',
        namespace: 'default',
        body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'shop:2' }] } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const containers = current.spec!.template.spec!.containers;
    expect(containers.map((c) => [c.name, c.image])).toEqual([
      ['app', 'shop:2'],
      ['sidecar', 'proxy:1'],
    ]);
    expect(containers[0]!.env).toEqual([{ name: 'MODE', value: 'live' }]);
    expect(current.metadata?.generation).toBe(2);

    // maxSurge 25% of 4 = 1, maxUnavailable 25% of 4 = 1: never more than 5 pods, never fewer than 3 available.
    const seen = new Set<string>();
    for (let step = 0; step < 20; step++) {
      const pods = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=shop' })).items;
      const status = (await apps.readNamespacedDeployment({ name: 'shop', namespace: 'default' })).status!;
      expect(pods.length).toBeLessThanOrEqual(5);
      expect(status.availableReplicas ?? 0).toBeGreaterThanOrEqual(3);
      seen.add(`${status.updatedReplicas ?? 0}/${status.replicas ?? 0}`);
      if (status.updatedReplicas === 4 && status.replicas === 4 && status.availableReplicas === 4) break;
      emulator.admin.tick(10);
    }
    expect(seen.size).toBeGreaterThan(2);
    current = await apps.readNamespacedDeployment({ name: 'shop', namespace: 'default' });
    expect(current.metadata?.annotations?.[REVISION]).toBe('2');
    expect(current.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual(
      expect.arrayContaining([
        ['Available', 'True', 'MinimumReplicasAvailable'],
        ['Progressing', 'True', 'NewReplicaSetAvailable'],
      ]),
    );
    const replicaSets = await replicaSetsOf('shop');
    expect(replicaSets).toHaveLength(2);
    for (const rs of replicaSets) {
      const hash = rs.metadata!.labels!['pod-template-hash']!;
      expect(rs.metadata?.name).toBe(`shop-${hash}`);
      expect(rs.spec?.selector.matchLabels?.['pod-template-hash']).toBe(hash);
      expect(rs.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'shop', controller: true });
    }
    const byRevision = Object.fromEntries(
      replicaSets.map((rs) => [rs.metadata!.annotations![REVISION], rs.spec!.replicas]),
    );
    expect(byRevision).toEqual({ '1': 0, '2': 4 });
    const pods = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=shop' })).items;
    expect(pods.every((p) => p.status?.phase === 'Running' && p.spec?.containers[0]?.image === 'shop:2')).toBe(true);
  });

  it('re-adopts the old ReplicaSet when the template goes back, and keeps revisionHistoryLimit old ones', async () => {
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: deployment('cart', 'cart:1', { revisionHistoryLimit: 2, replicas: 1 }),
    });
    emulator.admin.settle();
    for (const image of ['cart:2', 'cart:3', 'cart:4']) {
      await apps.patchNamespacedDeployment(
        {
          name: 'cart',
          namespace: 'default',
          body: { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
      emulator.admin.settle();
    }
    const revisions = (rss: Awaited<ReturnType<typeof replicaSetsOf>>) =>
      rss.map((rs) => [rs.metadata!.annotations![REVISION], rs.spec?.template?.spec?.containers[0]?.image]).sort();
    expect(revisions(await replicaSetsOf('cart'))).toEqual([
      ['2', 'cart:2'],
      ['3', 'cart:3'],
      ['4', 'cart:4'],
    ]);

    // What kubectl rollout undo sends: a JSON patch with the old ReplicaSet's template.
    const old = (await replicaSetsOf('cart')).find((rs) => rs.metadata!.annotations![REVISION] === '2')!;
    const template = structuredClone(old.spec!.template!);
    delete template.metadata!.labels!['pod-template-hash'];
    await apps.patchNamespacedDeployment(
      { name: 'cart', namespace: 'default', body: [{ op: 'replace', path: '/spec/template', value: template }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    emulator.admin.settle();
    const after = await replicaSetsOf('cart');
    expect(revisions(after)).toEqual([
      ['3', 'cart:3'],
      ['4', 'cart:4'],
      ['5', 'cart:2'],
    ]);
    const readopted = after.find((rs) => rs.metadata!.name === old.metadata!.name)!;
    expect(readopted.metadata?.annotations?.['deployment.kubernetes.io/revision-history']).toBe('2');
    expect(readopted.spec?.replicas).toBe(1);
  });

  it('recreates: every old pod goes before the first new one starts', async () => {
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: deployment('batch', 'batch:1', { replicas: 2, strategy: { type: 'Recreate' } }),
    });
    emulator.admin.settle();
    await apps.patchNamespacedDeployment(
      {
        name: 'batch',
        namespace: 'default',
        body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'batch:2' }] } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const images = async () =>
      (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=batch' })).items.map(
        (p) => p.spec?.containers[0]?.image,
      );
    // The write scaled the old ReplicaSet to zero (its pods went at once) and then started the new pods.
    expect(await images()).toEqual(['batch:2', 'batch:2']);
    const status = (await apps.readNamespacedDeployment({ name: 'batch', namespace: 'default' })).status!;
    expect(status.conditions?.find((c) => c.type === 'Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
    });
    emulator.admin.settle();
    expect((await apps.readNamespacedDeployment({ name: 'batch', namespace: 'default' })).status).toMatchObject({
      availableReplicas: 2,
      updatedReplicas: 2,
    });
  });

  it('answers invalid objects with 422 and malformed patches with 400', async () => {
    const body = deployment('broken', 'x:1');
    body.spec!.template.metadata!.labels = { app: 'other' };
    const invalid = await failure(apps.createNamespacedDeployment({ namespace: 'default', body }));
    expect(invalid.code).toBe(422);
    expect(invalid.status).toMatchObject({ reason: 'Invalid', details: { name: 'broken', kind: 'Deployment' } });
    expect(invalid.status.details.causes[0].field).toBe('spec.template.metadata.labels');

    const merge = await failure(
      apps.patchNamespacedDeployment(
        { name: 'shop', namespace: 'default', body: [{ op: 'jump', path: '/spec' }] },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      ),
    );
    expect(merge.code).toBe(400);
    const missingPath = await failure(
      apps.patchNamespacedDeployment(
        { name: 'shop', namespace: 'default', body: [{ op: 'replace', path: '/spec/nothing/here', value: 1 }] },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      ),
    );
    expect(missingPath.code).toBe(422);
    const selectorChange = await failure(
      apps.patchNamespacedDeployment(
        { name: 'shop', namespace: 'default', body: { spec: { selector: { matchLabels: { app: 'new' } } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(selectorChange.code).toBe(422);
    expect(JSON.stringify(selectorChange.status.details.causes)).toContain('field is immutable');
  });

  it('scales through the scale subresource', async () => {
    const scale = await apps.patchNamespacedDeploymentScale(
      { name: 'shop', namespace: 'default', body: { spec: { replicas: 2 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(scale.spec?.replicas).toBe(2);
    emulator.admin.settle();
    const read = await apps.readNamespacedDeploymentScale({ name: 'shop', namespace: 'default' });
    expect(read.status).toMatchObject({ replicas: 2, selector: 'app=shop' });
    expect((await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=shop' })).items).toHaveLength(2);
  });

  it('streams watch events from a resourceVersion and answers an expired one with 410', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    const events: [string, string][] = [];
    const watch = new Watch(clientConfig(emulator));
    const controller = await watch.watch(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: list.metadata!.resourceVersion, labelSelector: 'watched=yes' },
      (type, object: { metadata: { name: string } }) => events.push([type, object.metadata.name]),
      () => undefined,
    );
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'w1', labels: { watched: 'yes' } } },
    });
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'w2', labels: { watched: 'no' } } },
    });
    await core.patchNamespacedConfigMap(
      { name: 'w2', namespace: 'default', body: { metadata: { labels: { watched: 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await core.deleteNamespacedConfigMap({ name: 'w1', namespace: 'default' });
    for (let i = 0; i < 50 && events.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    expect(events).toEqual([
      ['ADDED', 'w1'],
      ['ADDED', 'w2'],
      ['DELETED', 'w1'],
    ]);

    const expired: unknown[] = [];
    const old = await watch.watch(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: '1' },
      (type, object) => expired.push([type, object]),
      () => undefined,
    );
    for (let i = 0; i < 50 && expired.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    old.abort();
    expect(expired[0]).toEqual(['ERROR', expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' })]);
  });

  it('injects API errors and latency, and a rollout that never becomes available times out', async () => {
    emulator.admin.failRequests({ method: 'GET', resource: 'deployments', name: 'shop', code: 503, times: 1 });
    const injected = await failure(apps.readNamespacedDeployment({ name: 'shop', namespace: 'default' }));
    expect(injected.code).toBe(503);
    expect(injected.status).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable' });
    await apps.readNamespacedDeployment({ name: 'shop', namespace: 'default' });

    emulator.admin.addLatency({ method: 'GET', resource: 'configmaps', ms: 300 });
    const started = Date.now();
    await core.listNamespacedConfigMap({ namespace: 'default' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    emulator.admin.clearFaults();

    emulator.admin.neverAvailable({ deployment: 'shop' });
    await apps.patchNamespacedDeployment(
      {
        name: 'shop',
        namespace: 'default',
        body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'shop:3' }] } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    emulator.admin.tick(300);
    let status = (await apps.readNamespacedDeployment({ name: 'shop', namespace: 'default' })).status!;
    // Two replicas: maxSurge rounds up to 1, maxUnavailable down to 0, so both old pods keep serving.
    expect(status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'ReplicaSetUpdated',
    });
    expect(status.updatedReplicas).toBe(1);
    expect(status.availableReplicas).toBe(2);
    emulator.admin.tick(301);
    status = (await apps.readNamespacedDeployment({ name: 'shop', namespace: 'default' })).status!;
    expect(status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
    });
    const stuck = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=shop' })).items.filter(
      (p) => p.spec?.containers[0]?.image === 'shop:3',
    );
    expect(stuck[0]?.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('CrashLoopBackOff');
    emulator.admin.clearFaults();
  });

  it('guards the admin routes with the admin key', async () => {
    const denied = await fetch(`${emulator.url}/_emulator/tick`, { method: 'POST', body: '{"seconds":1}' });
    expect(denied.status).toBe(401);
    const before = emulator.admin.clockAnswer().now;
    const ticked = await fetch(`${emulator.url}/_emulator/tick`, {
      method: 'POST',
      headers: { 'x-emulator-admin': emulator.adminKey },
      body: JSON.stringify({ seconds: 3600 }),
    });
    expect(ticked.status).toBe(200);
    const answer = (await ticked.json()) as { now: string };
    expect(Date.parse(answer.now) - Date.parse(before)).toBeGreaterThanOrEqual(3_600_000);
    const badFault = await fetch(`${emulator.url}/_emulator/faults/api-error`, {
      method: 'POST',
      headers: { 'x-emulator-admin': emulator.adminKey },
      body: JSON.stringify({ code: 200 }),
    });
    expect(badFault.status).toBe(400);
  });
});
