import { describe, it, expect } from '@jest/globals';
import { ComponentStore, toContent, type ComponentRef } from './component-store.js';
import { missingParentProblem, planDeploy, type DeployCandidate, type PlanInput } from './deploy-plan.js';

const now = '2024-01-01T00:00:00.000Z';
const audit = { date: now, userId: '005', userName: 'Admin' };

function candidate(
  type: string,
  fullName: string,
  text: string,
  extra: Partial<DeployCandidate> = {},
): DeployCandidate {
  return {
    type,
    fullName,
    fileName: `${type}/${fullName}`,
    content: toContent(new Map([[`${type}/${fullName}`, Buffer.from(text)]])),
    ...extra,
  };
}

function storeWith(...items: [DeployCandidate, string][]): ComponentStore {
  const store = new ComponentStore();
  for (const [c, id] of items)
    store.put({
      type: c.type,
      fullName: c.fullName,
      id,
      content: c.content,
      parent: c.parent,
      created: audit,
      lastModified: audit,
    });
  return store;
}

function plan(store: ComponentStore, input: Partial<PlanInput>) {
  let n = 0;
  return planDeploy(
    { candidates: [], deletions: [], failures: [], rollbackOnError: true, now, newId: () => `new${++n}`, ...input },
    store,
  );
}

const summary = (p: ReturnType<typeof plan>) =>
  p.successes
    .filter((m) => m.componentType !== '')
    .map((m) => `${m.fullName}:${m.created ? 'created' : m.deleted ? 'deleted' : m.changed ? 'changed' : 'unchanged'}`);

describe('planDeploy', () => {
  it('creates new components, changes different ones and leaves identical ones unchanged', () => {
    const store = storeWith(
      [candidate('ApexClass', 'Same', 'x'), 'id1'],
      [candidate('ApexClass', 'Diff', 'old'), 'id2'],
    );
    const result = plan(store, {
      candidates: [
        candidate('ApexClass', 'Same', 'x'),
        candidate('ApexClass', 'Diff', 'new'),
        candidate('ApexClass', 'Fresh', 'y'),
      ],
    });
    expect(result.status).toBe('Succeeded');
    expect(summary(result)).toEqual(['Same:unchanged', 'Diff:changed', 'Fresh:created']);
    expect(result.operations.map((o) => (o.kind === 'write' ? `${o.candidate.fullName}:${o.id}` : ''))).toEqual([
      'Diff:id2',
      'Fresh:new1',
    ]);
    expect(result.numberComponentsTotal).toBe(3);
  });

  it('reports package.xml as a success without a component type', () => {
    const result = plan(new ComponentStore(), {});
    expect(result.successes.map((m) => [m.componentType, m.fullName])).toEqual([['', 'package.xml']]);
  });

  it('marks a parent changed when only one of its children changed, without rewriting the parent', () => {
    const parent: ComponentRef = { type: 'CustomObject', fullName: 'O__c' };
    const store = storeWith(
      [candidate('CustomObject', 'O__c', 'p'), 'o1'],
      [candidate('CustomField', 'O__c.F__c', 'old', { parent }), 'f1'],
    );
    const result = plan(store, {
      candidates: [candidate('CustomObject', 'O__c', 'p'), candidate('CustomField', 'O__c.F__c', 'new', { parent })],
    });
    expect(summary(result)).toEqual(['O__c.F__c:changed', 'O__c:changed']);
    expect(result.operations.map((o) => o.kind === 'write' && o.candidate.type)).toEqual(['CustomField']);
  });

  it('fails the whole deploy and applies nothing when a component fails and rollbackOnError is set', () => {
    const result = plan(new ComponentStore(), {
      candidates: [
        candidate('ApexClass', 'Good', 'x'),
        candidate('ApexClass', 'Bad', 'y', { problem: { problem: 'boom', lineNumber: 3 } }),
      ],
    });
    expect(result.status).toBe('Failed');
    expect(result.operations).toEqual([]);
    expect(result.failures.map((f) => [f.fullName, f.problem, f.lineNumber, f.problemType])).toEqual([
      ['Bad', 'boom', 3, 'Error'],
    ]);
  });

  it('applies the good components and reports SucceededPartial without rollbackOnError', () => {
    const result = plan(new ComponentStore(), {
      rollbackOnError: false,
      candidates: [
        candidate('ApexClass', 'Good', 'x'),
        candidate('ApexClass', 'Bad', 'y', { problem: { problem: 'boom' } }),
      ],
    });
    expect(result.status).toBe('SucceededPartial');
    expect(result.operations.map((o) => o.kind === 'write' && o.candidate.fullName)).toEqual(['Good']);
    expect(result.numberComponentErrors).toBe(1);
  });

  it('warns about deleting a missing component and still deletes the others', () => {
    const store = storeWith([candidate('ApexClass', 'Old', 'x'), 'id1']);
    const result = plan(store, {
      deletions: [
        { type: 'ApexClass', fullName: 'Ghost', phase: 'post', manifestFile: 'destructiveChangesPost.xml' },
        { type: 'ApexClass', fullName: 'Old', phase: 'post', manifestFile: 'destructiveChangesPost.xml' },
      ],
    });
    expect(result.status).toBe('Succeeded');
    expect(result.failures.map((f) => [f.componentType, f.fullName, f.problem, f.problemType])).toEqual([
      ['ApexClass', 'destructiveChangesPost.xml', 'No ApexClass named: Ghost found', 'Warning'],
    ]);
    expect(summary(result)).toEqual(['Old:deleted']);
    expect(result.operations).toEqual([{ kind: 'delete', ref: { type: 'ApexClass', fullName: 'Old' } }]);
  });

  it('runs pre deletions before writes and post deletions after them', () => {
    const store = storeWith([candidate('ApexClass', 'A', 'x'), 'id1']);
    const result = plan(store, {
      candidates: [candidate('ApexClass', 'A', 'x'), candidate('ApexClass', 'B', 'y')],
      deletions: [
        { type: 'ApexClass', fullName: 'A', phase: 'pre', manifestFile: 'destructiveChangesPre.xml' },
        { type: 'ApexClass', fullName: 'B', phase: 'post', manifestFile: 'destructiveChangesPost.xml' },
      ],
    });
    expect(summary(result)).toEqual(['A:deleted', 'A:created', 'B:created', 'B:deleted']);
    expect(result.operations.map((o) => o.kind)).toEqual(['delete', 'write', 'write', 'delete']);
  });

  it('treats the children of a parent deleted earlier in the deploy as gone', () => {
    const parent: ComponentRef = { type: 'CustomObject', fullName: 'O__c' };
    const store = storeWith(
      [candidate('CustomObject', 'O__c', 'p'), 'o1'],
      [candidate('CustomField', 'O__c.F__c', 'f', { parent }), 'f1'],
    );
    const result = plan(store, {
      candidates: [candidate('CustomField', 'O__c.F__c', 'f', { parent }), candidate('CustomObject', 'O__c', 'p')],
      deletions: [{ type: 'CustomObject', fullName: 'O__c', phase: 'pre', manifestFile: 'destructiveChanges.xml' }],
    });
    expect(summary(result)).toEqual(['O__c:deleted', 'O__c.F__c:created', 'O__c:created']);
  });
});

describe('planDeploy with names that differ only in case', () => {
  it('updates the existing field (same id, changed) when a deploy only changes the case of its name', () => {
    const parent: ComponentRef = { type: 'CustomObject', fullName: 'Invoice__c' };
    const store = storeWith(
      [candidate('CustomObject', 'Invoice__c', 'o'), 'o1'],
      [candidate('CustomField', 'Invoice__c.accountId__c', 'f', { parent }), 'f1'],
    );
    const result = plan(store, { candidates: [candidate('CustomField', 'Invoice__c.AccountId__c', 'f', { parent })] });
    expect(result.status).toBe('Succeeded');
    const field = result.successes.find((m) => m.componentType === 'CustomField');
    expect(field).toMatchObject({ fullName: 'Invoice__c.AccountId__c', created: false, changed: true, id: 'f1' });
    expect(result.operations).toEqual([expect.objectContaining({ kind: 'write', id: 'f1', created: false })]);
  });

  it('deletes a component named in another case', () => {
    const store = storeWith([candidate('ApexClass', 'MyClass', 'x'), 'c1']);
    const result = plan(store, {
      deletions: [{ type: 'ApexClass', fullName: 'MYCLASS', phase: 'pre', manifestFile: 'destructiveChanges.xml' }],
    });
    expect(result.operations).toEqual([{ kind: 'delete', ref: { type: 'ApexClass', fullName: 'MYCLASS' } }]);
    expect(result.failures).toEqual([]);
  });
});

describe('planDeploy with children of a missing custom object', () => {
  const parent: ComponentRef = { type: 'CustomObject', fullName: 'Ghost__c' };

  it('fails a custom field whose custom object is neither in the org nor in the deploy', () => {
    const result = plan(new ComponentStore(), {
      candidates: [candidate('CustomField', 'Ghost__c.Amount__c', 'f', { parent })],
    });
    expect(result.status).toBe('Failed');
    expect(result.failures).toEqual([
      expect.objectContaining({
        componentType: 'CustomField',
        fullName: 'Ghost__c.Amount__c',
        problem: expect.stringContaining('Ghost__c'),
      }),
    ]);
  });

  it('deploys the field when its object is in the same deploy or already in the org (any case)', () => {
    const withObject = plan(new ComponentStore(), {
      candidates: [
        candidate('CustomField', 'Ghost__c.Amount__c', 'f', { parent }),
        candidate('CustomObject', 'Ghost__c', 'o'),
      ],
    });
    expect(withObject.status).toBe('Succeeded');
    const inOrg = plan(storeWith([candidate('CustomObject', 'ghost__C', 'o'), 'o1']), {
      candidates: [candidate('CustomField', 'Ghost__c.Amount__c', 'f', { parent })],
    });
    expect(inOrg.status).toBe('Succeeded');
  });

  it('takes standard objects to exist in every org', () => {
    const account = { type: 'CustomObject', fullName: 'Account' };
    expect(
      missingParentProblem(candidate('CustomField', 'Account.Tier__c', 'f', { parent: account }), false),
    ).toBeUndefined();
    expect(
      missingParentProblem(
        candidate('CustomField', 'Setting__mdt.Value__c', 'f', {
          parent: { type: 'CustomObject', fullName: 'Setting__mdt' },
        }),
        false,
      ),
    ).toBeDefined();
  });
});
