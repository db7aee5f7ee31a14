import { describe, expect, test } from '@jest/globals';
import { driftSentences } from './drift.js';
import { templateHash } from './kube-objects.js';
import type { KubernetesData, KubernetesOutputs } from './kubernetes-records.js';
import type { KubernetesSpec } from './kubernetes-spec.js';

const template = (image: string) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'app', image }] },
});
const spec: KubernetesSpec = {
  namespace: 'default',
  manifests: [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: template('v2') } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { mode: 'new' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, stringData: { password: 'hunter2' } },
  ],
};
const data: KubernetesData = {
  objects: [
    { kind: 'Deployment', namespace: 'default', name: 'web', existed: true, object: {}, revision: '1' },
    { kind: 'ConfigMap', namespace: 'default', name: 'cfg', existed: true, object: {} },
    { kind: 'Secret', namespace: 'default', name: 'creds', existed: false, object: null },
  ],
};
const outputs: KubernetesOutputs = {
  deployments: [
    {
      namespace: 'default',
      name: 'web',
      revision: '2',
      generation: 2,
      templateHash: templateHash(template('v2')),
      image: 'v2',
    },
  ],
  image: 'v2',
  revision: '2',
};
const asLeft = () =>
  new Map<string, Record<string, unknown> | null>([
    [
      'Deployment default/web',
      {
        metadata: { name: 'web' },
        spec: { template: { ...template('v2'), metadata: { labels: { app: 'web', 'pod-template-hash': 'x' } } } },
      },
    ],
    [
      'ConfigMap default/cfg',
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', uid: 'u' }, data: { mode: 'new' } },
    ],
    [
      'Secret default/creds',
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'creds' },
        type: 'Opaque',
        data: { password: 'aHVudGVyMg==' },
      },
    ],
  ]);

describe('driftSentences', () => {
  test('none when the live objects are as the deploy left them (server additions ignored)', () => {
    expect(driftSentences({ spec, data, outputs }, asLeft())).toEqual([]);
  });

  test('a changed pod template, a changed ConfigMap and Secret, without repeating the Secret’s value', () => {
    const live = asLeft();
    live.set('Deployment default/web', { metadata: { name: 'web' }, spec: { template: template('v3') } });
    live.set('ConfigMap default/cfg', { metadata: { name: 'cfg' }, data: { mode: 'edited' } });
    live.set('Secret default/creds', { metadata: { name: 'creds' }, data: { password: 'b3RoZXI=' } });
    const sentences = driftSentences({ spec, data, outputs }, live);
    expect(sentences).toEqual([
      'Deployment default/web: its pod template changed since the execution (image now v3, the execution left v2).',
      'ConfigMap default/cfg no longer holds what the execution applied.',
      'Secret default/creds no longer holds what the execution applied.',
    ]);
    expect(sentences.join(' ')).not.toContain('hunter2');
  });

  test('an object the deploy created, or changed, that is gone', () => {
    const live = asLeft();
    live.set('Secret default/creds', null);
    live.set('ConfigMap default/cfg', null);
    expect(driftSentences({ spec, data, outputs }, live)).toEqual([
      'ConfigMap default/cfg, changed by the execution, is gone.',
      'Secret default/creds, created by the execution, is gone.',
    ]);
  });
});
