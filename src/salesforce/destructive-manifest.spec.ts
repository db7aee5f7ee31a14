import { describe, it, expect } from '@jest/globals';
import { destructiveChangesOf, locateDestructiveManifests, parseDestructiveManifest } from './destructive-manifest.js';

const pkg = (types: string) =>
  Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="http://soap.sforce.com/2006/04/metadata">${types}<version>60.0</version></Package>`,
  );
const t = (name: string, ...members: string[]) =>
  `<types>${members.map((m) => `<members>${m}</members>`).join('')}<name>${name}</name></types>`;

describe('parseDestructiveManifest', () => {
  it('reads every member of every type', () => {
    expect(
      parseDestructiveManifest(
        'destructiveChanges.xml',
        pkg(t('ApexClass', 'A', 'B') + t('CustomField', 'Account.F__c')),
      ),
    ).toEqual([
      { type: 'ApexClass', fullName: 'A' },
      { type: 'ApexClass', fullName: 'B' },
      { type: 'CustomField', fullName: 'Account.F__c' },
    ]);
  });

  it('accepts a manifest that lists nothing', () => {
    expect(parseDestructiveManifest('destructiveChanges.xml', pkg(''))).toEqual([]);
  });

  it('refuses wildcards, unknown types, empty members and fields without their object, saying what to change', () => {
    expect(() => parseDestructiveManifest('destructiveChangesPost.xml', pkg(t('ApexClass', '*')))).toThrow(
      /cannot use wildcards/,
    );
    expect(() => parseDestructiveManifest('destructiveChanges.xml', pkg(t('ApexKlass', 'A')))).toThrow(
      /unknown metadata type "ApexKlass"/,
    );
    expect(() => parseDestructiveManifest('destructiveChanges.xml', pkg(t('ApexClass', ' ')))).toThrow(
      /empty <members>/,
    );
    expect(() => parseDestructiveManifest('destructiveChanges.xml', pkg(t('CustomField', 'F__c')))).toThrow(
      /Parent\.F__c/,
    );
    expect(() => parseDestructiveManifest('destructiveChanges.xml', Buffer.from('<Package><types>'))).toThrow(
      /not well-formed XML/,
    );
    expect(() => parseDestructiveManifest('destructiveChanges.xml', Buffer.from('<Other/>'))).toThrow(
      /<Package> as its root/,
    );
  });

  it('does not ask a label (a child of CustomLabels, named without a dot) for a parent', () => {
    expect(parseDestructiveManifest('destructiveChanges.xml', pkg(t('CustomLabel', 'Greeting')))).toEqual([
      { type: 'CustomLabel', fullName: 'Greeting' },
    ]);
  });
});

describe('destructiveChangesOf', () => {
  it('puts destructiveChanges.xml and Pre before the additions, Post after, and keeps a member named twice once', () => {
    const manifests = new Map([
      ['destructiveChangesPost.xml', pkg(t('ApexClass', 'Late', 'Twice'))],
      ['destructiveChanges.xml', pkg(t('ApexClass', 'Plain'))],
      ['destructiveChangesPre.xml', pkg(t('ApexClass', 'Early', 'twice'))],
    ] as const);
    expect(destructiveChangesOf(new Map(manifests), [])).toEqual([
      { type: 'ApexClass', fullName: 'Plain', phase: 'pre', manifest: 'destructiveChanges.xml' },
      { type: 'ApexClass', fullName: 'Early', phase: 'pre', manifest: 'destructiveChangesPre.xml' },
      { type: 'ApexClass', fullName: 'twice', phase: 'pre', manifest: 'destructiveChangesPre.xml' },
      { type: 'ApexClass', fullName: 'Late', phase: 'post', manifest: 'destructiveChangesPost.xml' },
    ]);
  });

  it('refuses a member the upload also deploys (names compared case-insensitively)', () => {
    const manifests = new Map([['destructiveChangesPost.xml', pkg(t('ApexClass', 'invoiceService'))]] as const);
    expect(() => destructiveChangesOf(new Map(manifests), [{ type: 'ApexClass', fullName: 'InvoiceService' }])).toThrow(
      /ApexClass:invoiceService \(destructiveChangesPost\.xml\) is both deployed and deleted/,
    );
  });
});

describe('locateDestructiveManifests', () => {
  it('finds them beside package.xml in a metadata package, also inside its only folder', () => {
    expect([...locateDestructiveManifests(['package.xml', 'destructiveChanges.xml', 'classes/A.cls'])]).toEqual([
      ['destructiveChanges.xml', 'destructiveChanges.xml'],
    ]);
    expect([
      ...locateDestructiveManifests(['unpackaged/package.xml', 'unpackaged/destructiveChangesPost.xml']),
    ]).toEqual([['destructiveChangesPost.xml', 'unpackaged/destructiveChangesPost.xml']]);
  });

  it('finds them at the root or in manifest/ of a source project, and nowhere else', () => {
    const files = [
      'sfdx-project.json',
      'manifest/destructiveChangesPre.xml',
      'destructiveChangesPost.xml',
      'force-app/destructiveChanges.xml',
    ];
    expect([...locateDestructiveManifests(files)]).toEqual([
      ['destructiveChangesPre.xml', 'manifest/destructiveChangesPre.xml'],
      ['destructiveChangesPost.xml', 'destructiveChangesPost.xml'],
    ]);
  });

  it('refuses the same manifest in two places', () => {
    expect(() =>
      locateDestructiveManifests(['sfdx-project.json', 'destructiveChanges.xml', 'manifest/destructiveChanges.xml']),
    ).toThrow(/keep one/);
  });
});
