import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { createToken } from '../helpers/scoped-access.js';

const DEPLOYMENT = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'checkout' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'checkout' } },
    template: {
      metadata: { labels: { app: 'checkout' } },
      spec: { containers: [{ name: 'web', image: '<+artifact.image>' }] },
    },
  },
};

function stage(name: string, infrastructure: string, extra: Record<string, unknown> = {}) {
  return { name, service: 'checkout', infrastructure, spec: { manifests: [DEPLOYMENT] }, ...extra };
}

describe('pipelines: versioned definitions as JSON or YAML', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
    for (const [name, environment] of [
      ['Dev Cluster', 'dev'],
      ['Prod Cluster', 'production'],
    ]) {
      const res = await h.api('POST', '/api/infrastructures', {
        body: { name, environment, kind: 'kubernetes', connection: { server: 'https://k8s.example.test', token: 't' } },
      });
      expect(res.status).toBe(201);
    }
    expect((await h.api('POST', '/api/services', { body: { name: 'checkout' } })).status).toBe(201);
  });
  afterAll(() => closeStarted(h));

  it('creates a pipeline from JSON, naming services and infrastructures, and shows them resolved', async () => {
    const res = await h.api('POST', '/api/pipelines', {
      body: { name: 'shop', definition: { stages: [stage('dev', 'Dev Cluster'), stage('prod', 'prod cluster')] } },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'shop', version: 1 });
    expect(res.body.definition.stages).toEqual([
      expect.objectContaining({
        name: 'dev',
        kind: 'kubernetes',
        service: { id: expect.any(String), name: 'checkout' },
        infrastructure: expect.objectContaining({ name: 'Dev Cluster', environment: 'dev', kind: 'kubernetes' }),
        failureStrategy: 'fail',
        progressDeadlineSeconds: 600,
        spec: { manifests: [DEPLOYMENT] },
      }),
      expect.objectContaining({ name: 'prod', infrastructure: expect.objectContaining({ name: 'Prod Cluster' }) }),
    ]);
    const fetched = await h.api('GET', `/api/pipelines/${res.body.id}`);
    expect(fetched.body).toEqual(res.body);
  });

  it('takes one YAML document holding the name, the variables and the stages', async () => {
    const yaml = [
      'name: shop-yaml',
      'variables: {replicas: "3"}',
      'stages:',
      '  - name: web',
      '    service: checkout',
      '    infrastructure: Dev Cluster',
      '    failureStrategy: ignore',
      '    spec:',
      '      manifests: |',
      '        apiVersion: apps/v1',
      '        kind: Deployment',
      '        metadata: {name: web}',
      '        spec:',
      '          selector: {matchLabels: {app: web}}',
      '          template:',
      '            metadata: {labels: {app: web}}',
      '            spec: {containers: [{name: web, image: "<+artifact.image>"}]}',
    ].join('\n');
    const res = await h.api('POST', '/api/pipelines', {
      body: Buffer.from(yaml),
      headers: { 'content-type': 'application/yaml' },
    });
    expect(res.status).toBe(201);
    expect(res.body.definition.variables).toEqual({ replicas: '3' });
    expect(res.body.definition.stages[0]).toMatchObject({ name: 'web', failureStrategy: 'ignore' });
    expect(res.body.definition.stages[0].spec.manifests).toContain('image: "<+artifact.image>"');
  });

  it('adds a version on every change and keeps the earlier ones as they were', async () => {
    const created = await h.api('POST', '/api/pipelines', {
      body: { name: 'versioned', definition: { stages: [stage('one', 'Dev Cluster')] } },
    });
    const id = created.body.id;
    const changed = await h.api('PUT', `/api/pipelines/${id}`, {
      body: { definition: { stages: [stage('one', 'Dev Cluster'), stage('two', 'Prod Cluster')] } },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.version).toBe(2);
    expect(changed.body.definition.stages.map((s: { name: string }) => s.name)).toEqual(['one', 'two']);
    const first = await h.api('GET', `/api/pipelines/${id}?version=1`);
    expect(first.body.version).toBe(1);
    expect(first.body.definition.stages.map((s: { name: string }) => s.name)).toEqual(['one']);
    const versions = await h.api('GET', `/api/pipelines/${id}/versions`);
    expect(versions.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect((await h.api('GET', `/api/pipelines/${id}?version=7`)).status).toBe(404);
  });

  it('refuses a definition it cannot run, naming what to change', async () => {
    const refused = async (definition: unknown) => {
      const res = await h.api('POST', '/api/pipelines', { body: { name: 'bad', definition } });
      expect(res.status).toBe(400);
      return res.body.message as string;
    };
    expect(await refused({ stages: [{ ...stage('a', 'Dev Cluster'), service: 'payments' }] })).toMatch(
      /stages\.0\.service names no service "payments"/,
    );
    expect(await refused({ stages: [stage('a', 'Moon Cluster')] })).toMatch(
      /stages\.0\.infrastructure names no infrastructure "Moon Cluster"/,
    );
    expect(await refused({ stages: [{ ...stage('a', 'Dev Cluster'), spec: { namespace: 'shop' } }] })).toMatch(
      /^Invalid definition: stages\.0 \("a"\) spec: .*manifests/,
    );
    expect(
      await refused({ stages: [{ ...stage('a', 'Local Sandbox'), spec: { branch: 'main' }, rollbackSteps: [{}] }] }),
    ).toMatch(/has rollbackSteps, but salesforce stages have none/);
    expect(await refused('stages: [\n')).toMatch(/cannot be read as YAML or JSON \(line/);
    const duplicate = await h.api('POST', '/api/pipelines', {
      body: { name: 'SHOP', definition: { stages: [stage('a', 'Dev Cluster')] } },
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.message).toBe('A pipeline named "shop" already exists; pick another name.');
  });

  it('needs deploy in every environment its stages reach, and shows it only where the token reads all of them', async () => {
    const devDeployer = await createToken(h, ['deploy'], ['dev']);
    const reader = await createToken(h, ['read']);
    const twoEnvironments = { stages: [stage('dev', 'Dev Cluster'), stage('prod', 'Prod Cluster')] };

    const outside = await h.api('POST', '/api/pipelines', {
      body: { name: 'both', definition: twoEnvironments },
      token: devDeployer.token,
    });
    expect(outside.status).toBe(403);
    expect(outside.body.message).toMatch(/"production" environment/);
    const readOnly = await h.api('POST', '/api/pipelines', {
      body: { name: 'both', definition: twoEnvironments },
      token: reader.token,
    });
    expect(readOnly.status).toBe(403);

    const devOnly = await h.api('POST', '/api/pipelines', {
      body: { name: 'dev-only', definition: { stages: [stage('dev', 'Dev Cluster')] } },
      token: devDeployer.token,
    });
    expect(devOnly.status).toBe(201);
    const listed = await h.api('GET', '/api/pipelines', { token: devDeployer.token });
    const names = listed.body.pipelines.map((p: { name: string }) => p.name);
    expect(names).toContain('dev-only');
    expect(names).not.toContain('shop');
    const shop = (await h.api('GET', '/api/pipelines')).body.pipelines.find((p: { name: string }) => p.name === 'shop');
    expect((await h.api('GET', `/api/pipelines/${shop.id}`, { token: devDeployer.token })).status).toBe(403);
    expect(
      (
        await h.api('PUT', `/api/pipelines/${shop.id}`, {
          body: { definition: twoEnvironments },
          token: devDeployer.token,
        })
      ).status,
    ).toBe(403);
  });

  it('deletes a pipeline: it is gone from the list and from reads', async () => {
    const created = await h.api('POST', '/api/pipelines', {
      body: { name: 'short-lived', definition: { stages: [stage('a', 'Dev Cluster')] } },
    });
    expect((await h.api('DELETE', `/api/pipelines/${created.body.id}`)).status).toBe(204);
    expect((await h.api('GET', `/api/pipelines/${created.body.id}`)).status).toBe(404);
    const names = (await h.api('GET', '/api/pipelines')).body.pipelines.map((p: { name: string }) => p.name);
    expect(names).not.toContain('short-lived');
    const again = await h.api('POST', '/api/pipelines', {
      body: { name: 'short-lived', definition: { stages: [stage('a', 'Dev Cluster')] } },
    });
    expect(again.status).toBe(201);
  });
});
