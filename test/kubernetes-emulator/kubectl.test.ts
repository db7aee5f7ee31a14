import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  startKubernetesEmulator,
  type KubernetesEmulatorHandle,
} from '../../src/kubernetes-emulator/kubernetes-emulator.server.js';
import { deploymentManifest, kubectlFor, rolloutHistory, type Kubectl } from './kubectl.helper.js';

describe('kubectl against the Kubernetes emulator', () => {
  let emulator: KubernetesEmulatorHandle;
  let kubectl: Kubectl;

  beforeAll(async () => {
    // Pods are ready 0.2 simulated seconds after they start: a rollout of 3 replicas takes about a second.
    emulator = await startKubernetesEmulator({ port: 0, podReadySeconds: 0.2, syncIntervalMs: 50 });
    kubectl = await kubectlFor(emulator);
  });
  afterAll(async () => {
    kubectl.cleanup();
    await emulator.close();
  });

  const image = async (name: string) =>
    kubectl.ok(['get', 'deployment', name, '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);

  it('applies two versions, lists them in rollout history, and rolls back by hand the way a real cluster does', async () => {
    const v1 = kubectl.file(
      'web-v1.yaml',
      deploymentManifest({ name: 'web', image: 'shop/web:1.0', changeCause: 'release 1.0' }),
    );
    const v2 = kubectl.file(
      'web-v2.yaml',
      deploymentManifest({ name: 'web', image: 'shop/web:2.0', changeCause: 'release 2.0' }),
    );

    expect(await kubectl.ok(['apply', '-f', v1])).toContain('deployment.apps/web created');
    expect(await kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=60s'])).toContain(
      'deployment "web" successfully rolled out',
    );
    expect(await kubectl.ok(['apply', '-f', v2])).toContain('deployment.apps/web configured');
    expect(await kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=60s'])).toContain(
      'successfully rolled out',
    );
    expect(await rolloutHistory(kubectl, 'web')).toEqual([
      ['1', 'release 1.0'],
      ['2', 'release 2.0'],
    ]);
    expect(await kubectl.ok(['rollout', 'history', 'deployment/web', '--revision=1'])).toContain('shop/web:1.0');

    // Undo goes to the second-highest revision; the old ReplicaSet becomes revision 3 and revision 1 disappears.
    expect(await kubectl.ok(['rollout', 'undo', 'deployment/web'])).toContain('deployment.apps/web rolled back');
    expect(await kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=60s'])).toContain(
      'successfully rolled out',
    );
    expect(await image('web')).toBe('shop/web:1.0');
    expect(await rolloutHistory(kubectl, 'web')).toEqual([
      ['2', 'release 2.0'],
      ['3', 'release 1.0'],
    ]);
    const replicaSets = JSON.parse(await kubectl.ok(['get', 'replicasets', '-l', 'app=web', '-o', 'json'])).items;
    const readopted = replicaSets.find((rs: any) => rs.spec.template.spec.containers[0].image === 'shop/web:1.0');
    expect(readopted.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
    expect(readopted.metadata.annotations['deployment.kubernetes.io/revision-history']).toBe('1');
    expect(readopted.spec.replicas).toBe(3);
    const pods = JSON.parse(await kubectl.ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])).items;
    expect(pods).toHaveLength(3);
    expect(pods.every((p: any) => p.spec.containers[0].image === 'shop/web:1.0')).toBe(true);

    // Undoing again returns to 2.0 (now revision 4); --to-revision picks any listed revision.
    await kubectl.ok(['rollout', 'undo', 'deployment/web']);
    expect(await image('web')).toBe('shop/web:2.0');
    await kubectl.ok(['rollout', 'undo', 'deployment/web', '--to-revision=3']);
    expect(await image('web')).toBe('shop/web:1.0');
    expect(await rolloutHistory(kubectl, 'web')).toEqual([
      ['4', 'release 2.0'],
      ['5', 'release 1.0'],
    ]);
    const missing = await kubectl.run(['rollout', 'undo', 'deployment/web', '--to-revision=1']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('unable to find specified revision 1 in history');
  });

  it('re-applying an unchanged manifest changes nothing; undo without history or to the current template sends nothing', async () => {
    const manifest = kubectl.file(
      'same.yaml',
      deploymentManifest({ name: 'same', image: 'shop/same:1', changeCause: 'one' }),
    );
    await kubectl.ok(['apply', '-f', manifest]);
    expect(await kubectl.ok(['apply', '-f', manifest])).toContain('deployment.apps/same unchanged');
    const undo = await kubectl.run(['rollout', 'undo', 'deployment/same']);
    expect(undo.code).not.toBe(0);
    expect(undo.stderr).toContain('no rollout history found for deployment "same"');
    expect(await kubectl.ok(['rollout', 'undo', 'deployment/same', '--to-revision=1'])).toContain(
      'skipped rollback (current template already matches revision 1)',
    );
    expect(await kubectl.ok(['get', 'deployment', 'same', '-o', 'jsonpath={.metadata.generation}'])).toBe('1');
  });

  it('scales, gets and deletes a Deployment with its ReplicaSets and pods', async () => {
    await kubectl.ok([
      'apply',
      '-f',
      kubectl.file('api.yaml', deploymentManifest({ name: 'api', image: 'shop/api:1', changeCause: 'one' })),
    ]);
    // kubectl get --watch runs until stopped: it is stopped once the rollout is done, its rows are what it printed.
    const stop = new AbortController();
    const watching = kubectl.run(['get', 'deployment', 'api', '--watch'], { signal: stop.signal });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await kubectl.ok(['scale', 'deployment/api', '--replicas=5'])).toContain('deployment.apps/api scaled');
    await kubectl.ok(['rollout', 'status', 'deployment/api', '--timeout=60s']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    stop.abort();
    const rows = (await watching).stdout.split('\n');
    expect(rows[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    expect(rows.some((row) => /^api\s+5\/5\s+5\s+5\s/.test(row))).toBe(true);
    const deployment = JSON.parse(await kubectl.ok(['get', 'deployment', 'api', '-o', 'json']));
    expect(deployment.spec.replicas).toBe(5);
    // Without -o, kubectl asks for a server-side Table.
    expect((await kubectl.ok(['get', 'deployment', 'api'])).split('\n')[1]).toMatch(/^api\s+5\/5\s+5\s+5\s+\d+s$/);
    expect(deployment.status).toMatchObject({
      replicas: 5,
      updatedReplicas: 5,
      readyReplicas: 5,
      availableReplicas: 5,
    });
    expect(JSON.parse(await kubectl.ok(['get', 'pods', '-l', 'app=api', '-o', 'json'])).items).toHaveLength(5);

    expect(await kubectl.ok(['delete', 'deployment', 'api', '--timeout=30s'])).toContain(
      'deployment.apps "api" deleted',
    );
    expect(JSON.parse(await kubectl.ok(['get', 'replicasets,pods', '-l', 'app=api', '-o', 'json'])).items).toEqual([]);
    const gone = await kubectl.run(['get', 'deployment', 'api']);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('deployments.apps "api" not found');
  });

  it('sets images, restarts, pauses and resumes rollouts, with and without WatchList', async () => {
    await kubectl.ok([
      'apply',
      '-f',
      kubectl.file('cart.yaml', deploymentManifest({ name: 'cart', image: 'shop/cart:1', changeCause: 'one' })),
    ]);
    expect(await kubectl.ok(['set', 'image', 'deployment/cart', 'app=shop/cart:2'])).toContain('image updated');
    // client-go before 1.35 (and Helm 3) list and then watch instead of asking for initial events.
    expect(
      await kubectl.ok(['rollout', 'status', 'deployment/cart', '--timeout=60s'], {
        env: { KUBE_FEATURE_WatchListClient: 'false' },
      }),
    ).toContain('successfully rolled out');
    expect(await kubectl.ok(['rollout', 'restart', 'deployment/cart'])).toContain('restarted');
    await kubectl.ok(['rollout', 'status', 'deployment/cart', '--timeout=60s']);
    await kubectl.ok(['rollout', 'pause', 'deployment/cart']);
    await kubectl.ok(['set', 'image', 'deployment/cart', 'app=shop/cart:3']);
    // Paused: the new template gets no ReplicaSet until the rollout resumes.
    expect(
      await kubectl.ok([
        'get',
        'replicasets',
        '-l',
        'app=cart',
        '-o',
        'jsonpath={.items[*].spec.template.spec.containers[0].image}',
      ]),
    ).not.toContain('shop/cart:3');
    await kubectl.ok(['rollout', 'resume', 'deployment/cart']);
    await kubectl.ok(['rollout', 'status', 'deployment/cart', '--timeout=60s']);
    expect((await rolloutHistory(kubectl, 'cart')).map(([revision]) => revision)).toEqual(['1', '2', '3', '4']);
    const pods = JSON.parse(await kubectl.ok(['get', 'pods', '-l', 'app=cart', '-o', 'json'])).items;
    expect(pods.map((p: any) => p.spec.containers[0].image)).toEqual(['shop/cart:3', 'shop/cart:3', 'shop/cart:3']);
  });

  it('works with ConfigMaps, Secrets, Services and namespaces through apply', async () => {
    const manifests = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', namespace: 'shop' },
        data: { mode: 'blue' },
      },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'keys', namespace: 'shop' }, stringData: { token: 'abc' } },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'shop' },
        spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
      },
    ];
    const file = kubectl.file('bundle.yaml', manifests.map((m) => `---\n${JSON.stringify(m)}`).join('\n'));
    const applied = await kubectl.ok(['apply', '-f', file]);
    expect(applied).toContain('namespace/shop created');
    expect(applied).toContain('service/web created');
    expect(await kubectl.ok(['get', 'secret', 'keys', '-n', 'shop', '-o', 'jsonpath={.data.token}'])).toBe(
      Buffer.from('abc').toString('base64'),
    );
    expect(await kubectl.ok(['get', 'service', 'web', '-n', 'shop', '-o', 'jsonpath={.spec.clusterIP}'])).toMatch(
      /^10\.96\.\d+\.\d+$/,
    );
    await kubectl.ok([
      'apply',
      '-f',
      kubectl.file('cm.yaml', JSON.stringify({ ...manifests[1], data: { mode: 'green' } })),
    ]);
    expect(await kubectl.ok(['get', 'configmap', 'settings', '-n', 'shop', '-o', 'jsonpath={.data.mode}'])).toBe(
      'green',
    );
  });

  it('rollout status fails once a rollout that never becomes available passes its progress deadline', async () => {
    const good = deploymentManifest({
      name: 'pay',
      image: 'shop/pay:1',
      changeCause: 'good',
      progressDeadlineSeconds: 30,
    });
    await kubectl.ok(['apply', '-f', kubectl.file('pay-1.yaml', good)]);
    await kubectl.ok(['rollout', 'status', 'deployment/pay', '--timeout=60s']);
    emulator.admin.neverAvailable({ image: 'shop/pay:2-broken' });
    const bad = deploymentManifest({
      name: 'pay',
      image: 'shop/pay:2-broken',
      changeCause: 'bad',
      progressDeadlineSeconds: 30,
    });
    await kubectl.ok(['apply', '-f', kubectl.file('pay-2.yaml', bad)]);

    const status = kubectl.run(['rollout', 'status', 'deployment/pay', '--timeout=60s']);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    emulator.admin.tick(31);
    const result = await status;
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('deployment "pay" exceeded its progress deadline');
    // The old pods kept serving: maxUnavailable 25% of 3 is 0, so none of the three old pods went away.
    const deployment = JSON.parse(await kubectl.ok(['get', 'deployment', 'pay', '-o', 'json']));
    expect(deployment.status.availableReplicas).toBe(3);

    // Undo brings back the working template, and the rollout completes again.
    await kubectl.ok(['rollout', 'undo', 'deployment/pay']);
    expect(await kubectl.ok(['rollout', 'status', 'deployment/pay', '--timeout=60s'])).toContain(
      'successfully rolled out',
    );
    emulator.admin.clearFaults();
  });
});
