import { describe, it, expect } from '@jest/globals';
import { componentFileName, findChildType, findTypeByDirectory, idPrefixOf } from './metadata-types.js';

describe('metadata types', () => {
  it('finds a type by folder and a child type with its parent', () => {
    expect(findTypeByDirectory('lwc')?.name).toBe('LightningComponentBundle');
    expect(findChildType('CustomField')?.parent.name).toBe('CustomObject');
  });

  it('names the file a component lives in, children in their parent file', () => {
    expect(componentFileName({ type: 'ApexClass', fullName: 'A' })).toBe('classes/A.cls');
    expect(componentFileName({ type: 'LightningComponentBundle', fullName: 'card' })).toBe('lwc/card');
    expect(componentFileName({ type: 'CustomField', fullName: 'Obj__c.F__c' })).toBe('objects/Obj__c.object');
    expect(componentFileName({ type: 'CustomLabel', fullName: 'Greeting' })).toBe('labels/CustomLabels.labels');
  });

  it('gives child types their own id prefix', () => {
    expect(idPrefixOf('CustomField')).toBe('00N');
    expect(idPrefixOf('ApexClass')).toBe('01p');
  });
});
