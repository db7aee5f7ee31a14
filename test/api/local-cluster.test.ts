import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import request from 'supertest';
import { startBacktrack, type Backtrack } from '../../src/app/bootstrap.js';
import { loadConfig } from '../../src/config/config.js';
import { ADMIN_TOKEN } from '../helpers/backtrack.harness.js';
import { seedEmbeddedDatabase } from '../helpers/pglite-template.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-local-cluster-'));
const config = loadConfig({
  PORT: '0',
  HOST: '127.0.0.1',
  DATA_DIR: dataDir,
  BACKTRACK_ADMIN_TOKEN: ADMIN_TOKEN,
  LOG_LEVEL: 'error',
});
let running: Backtrack | null = null;
afterAll(async () => {
  await running?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function localCluster(backtrack: Backtrack) {
  const res = await request(backtrack.app.getHttpServer())
    .get('/api/infrastructures')
    .set('authorization', `Bearer ${ADMIN_TOKEN}`);
  expect(res.status).toBe(200);
  const list = (res.body.infrastructures ?? res.body.items ?? res.body) as any[];
  return list.filter((i: any) => (i.infrastructure?.name ?? i.name) === 'Local Cluster');
}

function apps(backtrack: Backtrack): AppsV1Api {
  const kc = new KubeConfig();
  kc.loadFromString(JSON.stringify(backtrack.kubernetes!.kubeconfig()));
  return kc.makeApiClient(AppsV1Api);
}

describe('Local Cluster on the embedded default', () => {
  test('is registered as a dev kubernetes infrastructure, follows the emulator’s address and keeps its objects over a restart', async () => {
    await seedEmbeddedDatabase(config.dataDir);
    running = await startBacktrack(config);
    const first = await localCluster(running);
    expect(first).toHaveLength(1);
    expect(JSON.stringify(first[0])).toContain('"environment":"dev"');
    expect(JSON.stringify(first[0])).toContain(`"server":"${running.kubernetes!.url}"`);
    expect(JSON.stringify(first)).not.toContain(running.kubernetes!.token);

    await apps(running).createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'kept' },
        spec: {
          selector: { matchLabels: { app: 'kept' } },
          template: {
            metadata: { labels: { app: 'kept' } },
            spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
          },
        },
      },
    });
    const firstUrl = running.kubernetes!.url;
    await running.close();
    running = null;

    running = await startBacktrack(config);
    const second = await localCluster(running);
    expect(second).toHaveLength(1);
    expect(JSON.stringify(second[0])).toContain(`"server":"${running.kubernetes!.url}"`);
    if (running.kubernetes!.url !== firstUrl) expect(JSON.stringify(second[0])).not.toContain(firstUrl);
    const kept = await apps(running).readNamespacedDeployment({ name: 'kept', namespace: 'default' });
    expect(kept.spec!.template.spec!.containers[0]!.image).toBe('nginx:1.27');
    expect(kept.metadata!.annotations!['deployment.kubernetes.io/revision']).toBe('1');
  });
});
