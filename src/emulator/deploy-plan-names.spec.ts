// planDeploy: case-insensitive names, and children whose custom object is missing.
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
  const path = `${type}/${fullName}`;
  return { type, fullName, fileName: path, content: toContent(new Map([[path, Buffer.from(text)]])), ...extra };
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
