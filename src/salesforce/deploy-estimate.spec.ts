import { describe, it, expect } from '@jest/globals';
import { estimateDeployFiles, type SizedComponent } from './deploy-estimate.js';

const c = (type: string, fullName: string, parent: [string, string] | null = null, sizes = [10]): SizedComponent => ({
  type,
  fullName,
  parentType: parent?.[0] ?? null,
  parentFullName: parent?.[1] ?? null,
  files: sizes.map((size) => ({ size })),
});
const all = [
  c('ApexClass', 'A', null, [100, 50]),
  c('CustomObject', 'Inv__c'),
  c('CustomField', 'Inv__c.Amount__c', ['CustomObject', 'Inv__c']),
  c('CustomField', 'Inv__c.Due__c', ['CustomObject', 'Inv__c']),
  c('CustomField', 'Account.Tier__c', ['CustomObject', 'Account']),
];

describe('estimateDeployFiles', () => {
  it('counts package.xml, own files, and one file per parent whose children travel without it', () => {
    expect(estimateDeployFiles(all)).toEqual({ fileCount: 1 + 2 + 1 + 1, unzippedBytes: 150 + 40 });
  });
});
