import { describe, it, expect } from '@jest/globals';
import type { ResolvedComponent } from '../salesforce/component.types.js';
import { adoptParentOutcomes, backupItemsForDeletion, deletionTargets } from './destructive-backup.js';

const SRC = 'force-app/main/default';
const comp = (type: string, fullName: string, path: string, parent?: [string, string]): ResolvedComponent => ({
  type,
  fullName,
  ...(parent ? { parent: { type: parent[0], fullName: parent[1] } } : {}),
  files: [{ path: `${SRC}/${path}`, content: Buffer.from(`<${type}><x>${fullName}</x></${type}>`) }],
});

describe('backupItemsForDeletion', () => {
  it('keeps a deleted object with every field the retrieve returned, each a component of its own', () => {
    const retrieved = [
      comp('CustomObject', 'Inv__c', 'objects/Inv__c/Inv__c.object-meta.xml'),
      comp('CustomField', 'Inv__c.A__c', 'objects/Inv__c/fields/A__c.field-meta.xml', ['CustomObject', 'Inv__c']),
      comp('CustomField', 'Inv__c.B__c', 'objects/Inv__c/fields/B__c.field-meta.xml', ['CustomObject', 'Inv__c']),
    ];
    const items = backupItemsForDeletion([{ type: 'CustomObject', fullName: 'Inv__c' }], retrieved);
    expect(
      items.map((i) => [`${i.ref.type}:${i.ref.fullName}`, i.parent?.fullName ?? null, i.before?.files.length]),
    ).toEqual([
      ['CustomObject:Inv__c', null, 1],
      ['CustomField:Inv__c.A__c', 'Inv__c', 1],
      ['CustomField:Inv__c.B__c', 'Inv__c', 1],
    ]);
  });

  it('keeps a deleted field alone, not the object file that only wraps it', () => {
    const wrapper: ResolvedComponent = {
      type: 'CustomObject',
      fullName: 'Account',
      files: [
        {
          path: `${SRC}/objects/Account/Account.object-meta.xml`,
          content: Buffer.from('<CustomObject></CustomObject>'),
        },
      ],
    };
    const items = backupItemsForDeletion(
      [{ type: 'CustomField', fullName: 'Account.Tier__c' }],
      [
        wrapper,
        comp('CustomField', 'Account.Tier__c', 'objects/Account/fields/Tier__c.field-meta.xml', [
          'CustomObject',
          'Account',
        ]),
      ],
    );
    expect(items.map((i) => `${i.ref.type}:${i.ref.fullName}`)).toEqual(['CustomField:Account.Tier__c']);
    expect(items[0]!.parent).toEqual({ type: 'CustomObject', fullName: 'Account' });
  });

  it('records a member the org does not have as absent, under the name the manifest used', () => {
    const items = backupItemsForDeletion([{ type: 'ApexClass', fullName: 'ghost' }], [], new Set(['apexclass:ghost']));
    expect(items).toEqual([{ ref: { type: 'ApexClass', fullName: 'ghost' }, before: null }]);
  });
});

describe('deletionTargets', () => {
  it('adds the children backed up with a deleted parent', () => {
    const rows = [
      { type: 'CustomObject', fullName: 'Inv__c', parentType: null, parentFullName: null },
      { type: 'CustomField', fullName: 'Inv__c.A__c', parentType: 'CustomObject', parentFullName: 'Inv__c' },
      { type: 'ApexClass', fullName: 'Other', parentType: null, parentFullName: null },
    ];
    expect(
      deletionTargets(
        [
          { type: 'CustomObject', fullName: 'Inv__c' },
          { type: 'ApexClass', fullName: 'Gone' },
        ],
        rows,
      ).map((t) => t.fullName),
    ).toEqual(['Inv__c', 'Gone', 'Inv__c.A__c']);
  });
});

describe('adoptParentOutcomes', () => {
  it('gives a child deleted with its parent the parent result', () => {
    const targets = [
      { type: 'CustomObject', fullName: 'Inv__c', parentType: null, parentFullName: null },
      { type: 'CustomField', fullName: 'Inv__c.A__c', parentType: 'CustomObject', parentFullName: 'Inv__c' },
    ];
    const out = adoptParentOutcomes(
      [
        { ref: { type: 'CustomObject', fullName: 'Inv__c' }, action: 'delete', status: 'Succeeded' },
        { ref: { type: 'CustomField', fullName: 'Inv__c.A__c' }, action: 'unchanged', status: 'Succeeded' },
      ],
      targets,
    );
    expect(out[1]).toEqual({
      ref: { type: 'CustomField', fullName: 'Inv__c.A__c' },
      action: 'delete',
      status: 'Succeeded',
    });
  });
});
