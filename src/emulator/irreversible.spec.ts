import { describe, expect, it } from '@jest/globals';
import { DeletedFields, deletionRefusal, keepOmittedPicklistValues } from './irreversible.js';
import { toContent } from './component-store.js';

const value = (name: string, extra = '') =>
  `            <value>\n                <fullName>${name}</fullName>\n                <default>false</default>\n${extra}                <label>${name}</label>\n            </value>\n`;
const fields = (values: string) =>
  `<fields>\n        <fullName>Status__c</fullName>\n        <type>Picklist</type>\n        <valueSet>\n` +
  `            <valueSetDefinition>\n${values}            </valueSetDefinition>\n        </valueSet>\n    </fields>`;

describe('keepOmittedPicklistValues', () => {
  it('appends the values the deploy omits, inactive, indented like the others', () => {
    const merged = keepOmittedPicklistValues(fields(value('Open') + value('Void')), fields(value('Open')));
    expect(merged).toBe(
      fields(value('Open') + value('Void', '                <isActive>false</isActive>\n').replace(/\n$/, '') + '\n'),
    );
  });

  it('leaves the element alone when nothing is omitted, or when the field is not a local picklist', () => {
    const sent = fields(value('Open') + value('Paid'));
    expect(keepOmittedPicklistValues(fields(value('open')), sent)).toBe(sent);
    const global = '<fields><fullName>S__c</fullName><valueSet><valueSetName>G</valueSetName></valueSet></fields>';
    expect(keepOmittedPicklistValues(fields(value('Open')), global)).toBe(global);
  });

  it('keeps an omitted value that was already inactive inactive (no second isActive)', () => {
    const old = fields(value('Open') + value('Void', '                <isActive>false</isActive>\n'));
    const merged = keepOmittedPicklistValues(old, fields(value('Open')));
    expect(merged.match(/<isActive>/g)).toHaveLength(1);
  });
});

describe('what Salesforce refuses or keeps', () => {
  it('refuses to delete record types only', () => {
    expect(deletionRefusal({ type: 'RecordType', fullName: 'Account.Partner' })).toBe(
      'Cannot delete record type through API',
    );
    expect(deletionRefusal({ type: 'CustomField', fullName: 'Account.Tier__c' })).toBeUndefined();
  });

  it('lists deleted custom fields for 15 days, then forgets them', () => {
    const list = new DeletedFields();
    const record = (type: string, fullName: string) => ({
      type,
      fullName,
      id: '00N000000000001AAA',
      content: toContent(new Map()),
      created: { date: '', userId: '', userName: '' },
      lastModified: { date: '', userId: '', userName: '' },
    });
    list.record(record('CustomField', 'Account.Tier__c'), '2026-01-01T00:00:00.000Z');
    list.record(record('ApexClass', 'Gone'), '2026-01-01T00:00:00.000Z');
    expect(list.list(new Date('2026-01-15T23:59:59.000Z')).map((f) => f.fullName)).toEqual(['Account.Tier__c']);
    expect(list.list(new Date('2026-01-16T00:00:00.000Z'))).toEqual([]);
  });
});
