import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { componentFileName, findChildType, findTypeByDirectory, idPrefixOf } from './metadata-types.js';

describe('metadata types', () => {
  it('finds a type by folder and a child type with its parent', () => {
    assert.equal(findTypeByDirectory('lwc')?.name, 'LightningComponentBundle');
    assert.equal(findChildType('CustomField')?.parent.name, 'CustomObject');
  });

  it('names the file a component lives in, children in their parent file', () => {
    assert.equal(componentFileName({ type: 'ApexClass', fullName: 'A' }), 'classes/A.cls');
    assert.equal(componentFileName({ type: 'LightningComponentBundle', fullName: 'card' }), 'lwc/card');
    assert.equal(componentFileName({ type: 'CustomField', fullName: 'Obj__c.F__c' }), 'objects/Obj__c.object');
    assert.equal(componentFileName({ type: 'CustomLabel', fullName: 'Greeting' }), 'labels/CustomLabels.labels');
  });

  it('gives child types their own id prefix', () => {
    assert.equal(idPrefixOf('CustomField'), '00N');
    assert.equal(idPrefixOf('ApexClass'), '01p');
  });
});
