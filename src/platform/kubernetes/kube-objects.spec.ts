import { describe, expect, test } from '@jest/globals';
import {
  cleanObject,
  contains,
  imageOf,
  isOwnedBy,
  normalizeManifest,
  replicaCounts,
  replacementBody,
  templateHash,
  templatesEqual,
  withoutHashLabel,
} from './kube-objects.js';

const template = (image: string, hash?: string) => ({
  metadata: { labels: { app: 'web', ...(hash ? { 'pod-template-hash': hash } : {}) } },
  spec: { containers: [{ name: 'app', image }] },
});

describe('Kubernetes object rules', () => {
  test('cleanObject drops status and server bookkeeping, keeps labels, annotations and data', () => {
    const cleaned = cleanObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'cfg',
        namespace: 'default',
        uid: 'u',
        resourceVersion: '7',
        creationTimestamp: 't',
        managedFields: [],
        generation: 2,
        labels: { a: 'b' },
        annotations: { x: 'y' },
      },
      data: { key: ' exact \n' },
      status: { phase: 'x' },
    });
    expect(cleaned).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'default', labels: { a: 'b' }, annotations: { x: 'y' } },
      data: { key: ' exact \n' },
    });
  });

  test('templates compare and hash without the pod-template-hash label', () => {
    expect(withoutHashLabel(template('nginx:1', 'abc'))).toEqual(template('nginx:1'));
    expect(templatesEqual(template('nginx:1', 'abc'), template('nginx:1'))).toBe(true);
    expect(templatesEqual(template('nginx:1'), template('nginx:2'))).toBe(false);
    expect(templateHash(template('nginx:1', 'abc'))).toBe(templateHash(template('nginx:1')));
    expect(templateHash(template('nginx:1'))).not.toBe(templateHash(template('nginx:2')));
  });

  test('contains: what the manifest says is live, server defaults ignored; lists must match in length', () => {
    const live = { spec: { replicas: 2, strategy: { type: 'RollingUpdate' }, ports: [{ port: 80, protocol: 'TCP' }] } };
    expect(contains(live, { spec: { replicas: 2, ports: [{ port: 80 }] } })).toBe(true);
    expect(contains(live, { spec: { replicas: 3 } })).toBe(false);
    expect(contains(live, { spec: { ports: [{ port: 80 }, { port: 81 }] } })).toBe(false);
    expect(contains(live, { spec: { missing: 'x' } })).toBe(false);
  });

  test('a Secret’s stringData is compared as the base64 data the server stores', () => {
    const secret = normalizeManifest({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { a: 'YQ==' },
      stringData: { b: 'bee' },
    });
    expect(secret).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { a: 'YQ==', b: 'YmVl' },
    });
  });

  test('imageOf, isOwnedBy and replicaCounts read what they say', () => {
    expect(imageOf({ spec: { template: template('nginx:1.27') } })).toBe('nginx:1.27');
    expect(imageOf({})).toBeNull();
    const rs = { metadata: { ownerReferences: [{ uid: 'd1', controller: true }] } };
    expect(isOwnedBy(rs, 'd1')).toBe(true);
    expect(isOwnedBy(rs, 'd2')).toBe(false);
    expect(replicaCounts({ spec: {}, status: { readyReplicas: 1 } })).toEqual({
      desired: 1,
      replicas: 0,
      updated: 0,
      ready: 1,
      available: 0,
    });
  });
});

describe('replacementBody', () => {
  test('is conditional on the live resourceVersion and keeps what the manifest leaves to the cluster', () => {
    const live = { metadata: { resourceVersion: '42' }, spec: { replicas: 7, clusterIP: '10.0.0.1' } };
    expect(replacementBody({ kind: 'Deployment', metadata: { name: 'web' }, spec: { paused: false } }, live)).toEqual({
      kind: 'Deployment',
      metadata: { name: 'web', resourceVersion: '42' },
      spec: { paused: false, replicas: 7 },
    });
    expect(
      replacementBody({ kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } }, live).spec,
    ).toEqual({
      replicas: 2,
    });
    expect(replacementBody({ kind: 'Service', metadata: { name: 's' }, spec: { ports: [] } }, live).spec).toEqual({
      ports: [],
      clusterIP: '10.0.0.1',
    });
  });
});
