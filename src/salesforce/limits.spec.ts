import { test, expect } from '@jest/globals';
import {
  MAX_FILES_PER_OPERATION,
  MAX_ZIPPED_BYTES,
  checkDeployLimits,
  chunkMembers,
  parentTypeOf,
  type SizedMember,
} from './limits.js';

test('a deploy within the limits has no violation', () => {
  expect(checkDeployLimits({ fileCount: 10_000, zipBytes: MAX_ZIPPED_BYTES })).toBe(null);
});

test('more than 10,000 files is a violation naming the limit', () => {
  const v = checkDeployLimits({ fileCount: 10_001, zipBytes: 10 });
  expect(v?.limit).toBe('files');
  expect(v?.max).toBe(MAX_FILES_PER_OPERATION);
  expect(v?.actual).toBe(10_001);
  expect(v!.message).toMatch(/10000/);
});

test('a zip over 39 MB is a violation', () => {
  expect(checkDeployLimits({ fileCount: 1, zipBytes: 39_000_001 })?.limit).toBe('zippedBytes');
  expect(checkDeployLimits({ fileCount: 1, zipBytes: 1, unzippedBytes: 700 * 1024 * 1024 })?.limit).toBe(
    'unzippedBytes',
  );
});

const m = (type: string, fullName: string, fileCount = 1, bytes = 1): SizedMember => ({
  ref: { type, fullName },
  fileCount,
  bytes,
});

test('members are packed into as few chunks as the file limit needs, in order', () => {
  const members = Array.from({ length: 7 }, (_, i) => m('ApexClass', `C${i}`, 2));
  const chunks = chunkMembers(members, { maxFiles: 6, maxBytes: 1e9 });
  expect(chunks.map((c) => c.map((r) => r.fullName))).toEqual([['C0', 'C1', 'C2'], ['C3', 'C4', 'C5'], ['C6']]);
});

test('the byte limit splits chunks too', () => {
  const chunks = chunkMembers([m('ApexClass', 'A', 1, 60), m('ApexClass', 'B', 1, 60)], {
    maxFiles: 100,
    maxBytes: 100,
  });
  expect(chunks.length).toBe(2);
});

test('an object and its fields stay in one chunk even when listed apart', () => {
  const members = [
    m('CustomField', 'Inv__c.A__c'),
    m('ApexClass', 'X'),
    m('ApexClass', 'Y'),
    m('CustomObject', 'Inv__c'),
    m('ValidationRule', 'Inv__c.Rule'),
  ];
  const chunks = chunkMembers(members, { maxFiles: 3, maxBytes: 1e9 });
  const withField = chunks.find((c) => c.some((r) => r.fullName === 'Inv__c.A__c'))!;
  expect(withField.map((r) => r.fullName).sort()).toEqual(['Inv__c', 'Inv__c.A__c', 'Inv__c.Rule']);
  expect(chunks.flat().length).toBe(5);
});

test('a group larger than the limits gets a chunk of its own', () => {
  const members = [
    m('ApexClass', 'A'),
    m('CustomObject', 'Big__c', 5),
    m('CustomField', 'Big__c.F__c', 5),
    m('ApexClass', 'B'),
  ];
  const chunks = chunkMembers(members, { maxFiles: 4, maxBytes: 1e9 });
  expect(chunks.map((c) => c.map((r) => r.fullName))).toEqual([['A'], ['Big__c', 'Big__c.F__c'], ['B']]);
});

test('child types know their parent type from the registry', () => {
  expect(parentTypeOf('CustomField')).toBe('CustomObject');
  expect(parentTypeOf('ListView')).toBe('CustomObject');
  expect(parentTypeOf('ApexClass')).toBe(undefined);
});
