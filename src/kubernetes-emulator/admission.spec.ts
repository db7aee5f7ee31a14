import { describe, expect, it } from '@jest/globals';
import { admit } from './admission.js';
import { DEPLOYMENTS, NAMESPACES, SECRETS, SERVICES } from './resource-types.js';
import { KubeError } from './status.js';

const ip = () => '10.96.0.9';
const deployment = (labels: Record<string, string>) => ({
  metadata: { name: 'web' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'web:1.2' }] } },
  },
});

function causesOf(action: () => unknown): string[] {
  try {
    action();
  } catch (error) {
    if (error instanceof KubeError && error.code === 422)
      return (error.details?.causes ?? []).map((c) => c.field ?? '');
    throw error;
  }
  return [];
}

describe('admit', () => {
  it('defaults a Deployment like apps/v1 does', () => {
    const result: any = admit(DEPLOYMENTS, deployment({ app: 'web' }), undefined, ip);
    expect(result.spec).toMatchObject({
      replicas: 1,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    });
    expect(result.spec.template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' });
    expect(result.spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
  });

  it('refuses a Deployment whose selector does not match its template, or that changes its selector', () => {
    expect(causesOf(() => admit(DEPLOYMENTS, deployment({ app: 'api' }), undefined, ip))).toEqual([
      'spec.template.metadata.labels',
    ]);
    const old = admit(DEPLOYMENTS, deployment({ app: 'web' }), undefined, ip);
    const moved = { ...deployment({ app: 'web', v: '2' }) };
    moved.spec.selector = { matchLabels: { app: 'web', v: '2' } } as never;
    expect(causesOf(() => admit(DEPLOYMENTS, moved, old, ip))).toEqual(['spec.selector']);
    expect(causesOf(() => admit(DEPLOYMENTS, { metadata: { name: 'Bad_Name' }, spec: {} }, undefined, ip))).toEqual([
      'metadata.name',
      'spec.selector',
      'spec.template',
    ]);
  });

  it('folds Secret stringData into base64 data and refuses data that is not base64', () => {
    const secret: any = admit(SECRETS, { metadata: { name: 's' }, stringData: { a: 'hello' } }, undefined, ip);
    expect(secret).toEqual({ metadata: { name: 's' }, type: 'Opaque', data: { a: 'aGVsbG8=' } });
    expect(() => admit(SECRETS, { metadata: { name: 's' }, data: { a: 'not base64!' } }, undefined, ip)).toThrow(
      'illegal base64 data at data.a',
    );
  });

  it('gives a Service a cluster IP it keeps, and a Namespace its phase', () => {
    const service: any = admit(SERVICES, { metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } }, undefined, ip);
    expect(service.spec).toMatchObject({
      type: 'ClusterIP',
      clusterIP: '10.96.0.9',
      ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }],
    });
    const kept: any = admit(
      SERVICES,
      { metadata: { name: 'web' }, spec: { ports: [{ port: 81 }] } },
      service,
      () => 'other',
    );
    expect(kept.spec.clusterIP).toBe('10.96.0.9');
    expect((admit(NAMESPACES, { metadata: { name: 'team' } }, undefined, ip) as any).status).toEqual({
      phase: 'Active',
    });
  });
});
