import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import {
  startKubernetesEmulator,
  type KubernetesEmulatorHandle,
} from '../../src/kubernetes-emulator/kubernetes-emulator.server.js';
import { layerBinaries, type CommandResult } from './kubectl.helper.js';

const CHART = {
  'Chart.yaml': 'apiVersion: v2\nname: shop\nversion: 0.1.0\nappVersion: "1.0"\n',
  'values.yaml': 'image: shop/web:1\n',
  'templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: 2
  selector:
    matchLabels: {app: {{ .Release.Name }}}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}}
    spec:
      containers:
        - name: app
          image: {{ .Values.image }}
`,
  'templates/configmap.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
data:
  image: {{ .Values.image | quote }}
`,
};

describe('helm (from the kubectl layer) against the Kubernetes emulator', () => {
  let emulator: KubernetesEmulatorHandle;
  let home: string;
  let helm: (args: string[]) => Promise<CommandResult>;
  let core: CoreV1Api;

  beforeAll(async () => {
    emulator = await startKubernetesEmulator({ port: 0, podReadySeconds: 0.2, syncIntervalMs: 50 });
    const binary = (await layerBinaries()).helm;
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-helm-home-'));
    for (const [name, content] of Object.entries(CHART)) {
      fs.mkdirSync(path.dirname(path.join(home, 'chart', name)), { recursive: true });
      fs.writeFileSync(path.join(home, 'chart', name), content);
    }
    const kubeconfig = path.join(home, 'config');
    fs.writeFileSync(kubeconfig, JSON.stringify(emulator.kubeconfig()));
    helm = (args) =>
      new Promise((resolve) => {
        execFile(
          binary,
          ['--kubeconfig', kubeconfig, ...args],
          {
            cwd: home,
            timeout: 60_000,
            env: {
              PATH: process.env.PATH ?? '',
              HOME: home,
              HELM_CACHE_HOME: path.join(home, 'cache'),
              HELM_CONFIG_HOME: path.join(home, 'config-home'),
              HELM_DATA_HOME: path.join(home, 'data'),
            },
          },
          (error, stdout, stderr) =>
            resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
        );
      });
    const kc = new KubeConfig();
    kc.loadFromString(JSON.stringify(emulator.kubeconfig()));
    core = kc.makeApiClient(CoreV1Api);
  });
  afterAll(async () => {
    fs.rmSync(home, { recursive: true, force: true });
    await emulator.close();
  });

  const ok = async (args: string[]) => {
    const result = await helm(args);
    if (result.code !== 0)
      throw new Error(`helm ${args.join(' ')} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  };

  it('installs, upgrades and rolls back a release, storing it in Secrets the way Helm does', async () => {
    expect(await ok(['install', 'shop', './chart', '--wait', '--timeout', '60s'])).toContain('STATUS: deployed');
    await ok(['upgrade', 'shop', './chart', '--set', 'image=shop/web:2', '--wait', '--timeout', '60s']);
    const settings = await core.readNamespacedConfigMap({ name: 'shop-settings', namespace: 'default' });
    expect(settings.data).toEqual({ image: 'shop/web:2' });

    expect(await ok(['rollback', 'shop', '1', '--wait', '--timeout', '60s'])).toContain('Rollback was a success');
    const history = JSON.parse(await ok(['history', 'shop', '-o', 'json']));
    expect(history.map((h: any) => [h.revision, h.status, h.description])).toEqual([
      [1, 'superseded', 'Install complete'],
      [2, 'superseded', 'Upgrade complete'],
      [3, 'deployed', 'Rollback to 1'],
    ]);
    expect((await core.readNamespacedConfigMap({ name: 'shop-settings', namespace: 'default' })).data).toEqual({
      image: 'shop/web:1',
    });

    const secrets = await core.listNamespacedSecret({ namespace: 'default', labelSelector: 'name=shop,owner=helm' });
    expect(secrets.items.map((s) => [s.metadata?.name, s.type, s.metadata?.labels?.status])).toEqual([
      ['sh.helm.release.v1.shop.v1', 'helm.sh/release.v1', 'superseded'],
      ['sh.helm.release.v1.shop.v2', 'helm.sh/release.v1', 'superseded'],
      ['sh.helm.release.v1.shop.v3', 'helm.sh/release.v1', 'deployed'],
    ]);
    // data.release is base64(gzip(JSON)) inside the Secret's own base64.
    const release = Buffer.from(Buffer.from(secrets.items[2]!.data!.release!, 'base64').toString(), 'base64');
    expect([...release.subarray(0, 3)]).toEqual([0x1f, 0x8b, 0x08]);
  });
});
