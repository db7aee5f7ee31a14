import { describe, it, expect } from '@jest/globals';
import type { DeployStatus } from '../salesforce/metadata-api.gateway.js';
import { deployOutcomes } from './deploy-results.js';

function succeeded(messages: Partial<DeployStatus['messages'][number]>[]): DeployStatus {
  return {
    id: '0Af000000000001',
    done: true,
    status: 'Succeeded',
    success: true,
    checkOnly: false,
    numberComponentsTotal: messages.length,
    numberComponentsDeployed: messages.length,
    numberComponentErrors: 0,
    numberTestsTotal: 0,
    numberTestsCompleted: 0,
    numberTestErrors: 0,
    messages: messages.map((m) => ({
      componentType: 'CustomField',
      fullName: '',
      fileName: '',
      created: false,
      changed: false,
      deleted: false,
      success: true,
      ...m,
    })),
  };
}

describe("deploy outcomes with Salesforce's case-insensitive names", () => {
  const field = { type: 'CustomField', fullName: 'Order__c.AccountId__c' };

  it('records an update when the backup found the field under another case, even if Salesforce says created', () => {
    const status = succeeded([{ fullName: 'Order__c.AccountId__c', created: true }]);
    const existed = new Map([['CustomField:order__c.accountid__c', true]]);
    const [outcome] = deployOutcomes([field], status, (ref) =>
      existed.get(`${ref.type}:${ref.fullName.toLowerCase()}`),
    );
    expect(outcome!.action).toBe('update');
  });

  it("matches Salesforce's message to the member whatever the case of its name", () => {
    const status = succeeded([{ fullName: 'order__c.accountid__c', changed: true }]);
    const [outcome] = deployOutcomes([field], status, () => true);
    expect([outcome!.action, outcome!.status]).toEqual(['update', 'Succeeded']);
  });

  it('still records a create when the org did not have the component', () => {
    const status = succeeded([{ fullName: 'Order__c.AccountId__c', created: true }]);
    expect(deployOutcomes([field], status, () => false)[0]!.action).toBe('create');
  });
});
