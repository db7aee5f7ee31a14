import { describe, expect, test } from '@jest/globals';
import type { CapturedObject } from './kubernetes-records.js';
import { planUndo } from './undo-plan.js';

const template = (image: string, hash?: string) => ({
  metadata: { labels: { app: 'web', ...(hash ? { 'pod-template-hash': hash } : {}) } },
  spec: { containers: [{ name: 'app', image }] },
});
const deployment = (image: string, annotations: Record<string, string> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', uid: 'd1', annotations },
  spec: { replicas: 2, template: template(image) },
});
const replicaSet = (image: string, revision: string, annotations: Record<string, string> = {}, owner = 'd1') => ({
  metadata: {
    name: `web-${image}`,
    annotations: { 'deployment.kubernetes.io/revision': revision, ...annotations },
    ownerReferences: [{ uid: owner, controller: true }],
  },
  spec: { template: template(image, `h${revision}`) },
});
const captured: CapturedObject = {
  kind: 'Deployment',
  namespace: 'default',
  name: 'web',
  existed: true,
  object: deployment('v1', { 'kubernetes.io/change-cause': 'v1' }),
  revision: '1',
  revisionTemplate: template('v1'),
};

describe('planUndo (kubectl rollout undo to the captured revision)', () => {
  test('patches the template of the captured revision’s ReplicaSet, without pod-template-hash, with its annotations', () => {
    const live = deployment('v2', { 'deployment.kubernetes.io/revision': '2', 'kubernetes.io/change-cause': 'v2' });
    const plan = planUndo(captured, live, [
      replicaSet('v1', '1', { 'kubernetes.io/change-cause': 'v1', 'deployment.kubernetes.io/desired-replicas': '2' }),
      replicaSet('v2', '2', { 'kubernetes.io/change-cause': 'v2' }),
    ]);
    expect(plan).toEqual({
      action: 'patch',
      pruned: false,
      template: template('v1'),
      patch: [
        { op: 'replace', path: '/spec/template', value: template('v1') },
        {
          op: 'add',
          path: '/metadata/annotations',
          value: { 'deployment.kubernetes.io/revision': '2', 'kubernetes.io/change-cause': 'v1' },
        },
      ],
    });
  });

  test('finds the ReplicaSet by its template when a re-adoption moved its revision number', () => {
    const plan = planUndo(captured, deployment('v2'), [replicaSet('v1', '5', { note: 'moved' })]);
    expect(plan).toMatchObject({ action: 'patch', pruned: false, template: template('v1') });
    expect(plan.action === 'patch' && plan.patch[1]!.value).toEqual({ note: 'moved' });
  });

  test('falls back to the captured template when the ReplicaSet was pruned, or is not owned by this Deployment', () => {
    const plan = planUndo(captured, deployment('v2'), [replicaSet('v1', '1', {}, 'someone-else')]);
    expect(plan).toMatchObject({ action: 'patch', pruned: true, template: template('v1') });
    expect(plan.action === 'patch' && plan.patch[1]!.value).toEqual({ 'kubernetes.io/change-cause': 'v1' });
  });

  test('skips when the live template already is the captured one (a resumed rollback sends nothing twice)', () => {
    const live = { ...deployment('v1'), spec: { template: template('v1', 'h3') } };
    expect(planUndo(captured, live, [replicaSet('v1', '3')])).toEqual({
      action: 'skip',
      reason: 'already on the template of revision 1',
    });
  });

  test('a Deployment deleted since is created again as captured', () => {
    expect(planUndo(captured, null, [])).toEqual({ action: 'recreate', object: captured.object });
  });
});
