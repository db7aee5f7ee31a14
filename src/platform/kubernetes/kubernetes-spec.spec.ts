import { describe, expect, test } from '@jest/globals';
import { parseKubernetesRollbackStep, parseKubernetesSpec } from './kubernetes-spec.js';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: { template: { spec: { containers: [{ name: 'app', image: '<+artifact.image>' }] } } },
};

describe('parseKubernetesSpec', () => {
  test('objects as given, namespace "default" unless named; expressions stay strings', () => {
    expect(parseKubernetesSpec({ manifests: [deployment] })).toEqual({ namespace: 'default', manifests: [deployment] });
    expect(parseKubernetesSpec({ namespace: 'shop', manifests: [deployment] }).namespace).toBe('shop');
  });

  test('multi-document YAML, empty documents and comments skipped', () => {
    const yaml = `---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data:
  mode: "a: b"
---
# only a comment
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers: [{name: app, image: <+artifact.image>}]
---
`;
    const spec = parseKubernetesSpec({ manifests: yaml });
    expect(spec.manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(['ConfigMap/cfg', 'Deployment/web']);
    expect(spec.manifests[0]).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg' },
      data: { mode: 'a: b' },
    });
    expect(spec.manifests[1]).toEqual(deployment);
  });

  test('a 400 naming the field: missing name, unsupported kind, wrong apiVersion, unknown spec field', () => {
    expect(() =>
      parseKubernetesSpec({ manifests: [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: {} }] }),
    ).toThrow('manifests.0: metadata.name: is required');
    expect(() => parseKubernetesSpec({ manifests: [{ ...deployment, kind: 'StatefulSet' }] })).toThrow(
      /manifests\.0: kind: must be one of "Deployment", "ConfigMap", "Service", "Secret"/,
    );
    expect(() => parseKubernetesSpec({ manifests: [{ ...deployment, apiVersion: 'v1' }] })).toThrow(
      'manifests.0: apiVersion: a Deployment must be apps/v1',
    );
    expect(() => parseKubernetesSpec({ manifests: [deployment], replicas: 2 })).toThrow('unknown field(s) replicas');
    expect(() => parseKubernetesSpec({})).toThrow('manifests');
    expect(() => parseKubernetesSpec({ manifests: [] })).toThrow('manifests');
  });

  test('YAML that does not parse is a 400 with the position only (a Secret value is never repeated)', () => {
    let message = '';
    try {
      parseKubernetesSpec({ manifests: 'kind: Secret\nstringData:\n  password: "hunter2\n  x: [' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Invalid kubernetes spec: manifests: cannot be read as YAML/);
    expect(message).not.toContain('hunter2');
  });

  test('the same object twice is refused', () => {
    expect(() =>
      parseKubernetesSpec({
        manifests: [deployment, { ...deployment, metadata: { name: 'web', namespace: 'default' } }],
      }),
    ).toThrow('manifests.1: Deployment default/web appears twice');
  });

  test('pure: the same input gives the same spec', () => {
    expect(parseKubernetesSpec({ manifests: [deployment] })).toEqual(parseKubernetesSpec({ manifests: [deployment] }));
  });
});

describe('parseKubernetesRollbackStep', () => {
  test('apply (objects or YAML) or delete', () => {
    expect(parseKubernetesRollbackStep({ name: 'restore', apply: [deployment] })).toEqual({
      name: 'restore',
      apply: [deployment],
    });
    expect(parseKubernetesRollbackStep({ name: 'drop', delete: { kind: 'ConfigMap', name: 'cfg' } })).toEqual({
      name: 'drop',
      delete: { kind: 'ConfigMap', name: 'cfg' },
    });
  });

  test('anything else is a 400', () => {
    expect(() => parseKubernetesRollbackStep({ name: 'x' })).toThrow('Invalid kubernetes rollback step');
    expect(() => parseKubernetesRollbackStep({ name: 'x', delete: { kind: 'Pod', name: 'p' } })).toThrow(
      'Invalid kubernetes rollback step',
    );
  });
});
