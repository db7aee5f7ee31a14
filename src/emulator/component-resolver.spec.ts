import { describe, it, expect } from '@jest/globals';
import { resolveComponents } from './component-resolver.js';

const b = (text: string) => Buffer.from(text);

describe('resolveComponents', () => {
  it('pairs a class with its meta file and groups a bundle folder into one component', () => {
    const { components, problems } = resolveComponents(
      new Map([
        ['classes/A.cls', b('class A {}')],
        ['classes/A.cls-meta.xml', b('<ApexClass/>')],
        ['lwc/card/card.js', b('')],
        ['lwc/card/card.js-meta.xml', b('<LightningComponentBundle/>')],
        ['layouts/Account-Account Layout.layout', b('<Layout/>')],
      ]),
    );
    expect(problems).toEqual([]);
    expect(components.map((c) => [c.type, c.fullName, c.fileName, [...c.files.keys()]])).toEqual([
      ['ApexClass', 'A', 'classes/A.cls', ['classes/A.cls', 'classes/A.cls-meta.xml']],
      ['LightningComponentBundle', 'card', 'lwc/card', ['lwc/card/card.js', 'lwc/card/card.js-meta.xml']],
      [
        'Layout',
        'Account-Account Layout',
        'layouts/Account-Account Layout.layout',
        ['layouts/Account-Account Layout.layout'],
      ],
    ]);
  });

  it('reports a file in an unknown folder without a component type', () => {
    const { components, problems } = resolveComponents(new Map([['widgets/W.widget', b('')]]));
    expect(components.length).toBe(0);
    expect(problems).toEqual([
      {
        componentType: '',
        fullName: 'widgets/W.widget',
        fileName: 'widgets/W.widget',
        problem: "Unknown metadata folder 'widgets' (file widgets/W.widget)",
      },
    ]);
  });

  it('reports a class whose meta file is missing', () => {
    const { components, problems } = resolveComponents(new Map([['classes/A.cls', b('class A {}')]]));
    expect(components.length).toBe(0);
    expect(problems[0]?.componentType).toBe('ApexClass');
    expect(problems[0]?.problem).toBe('Missing file: classes/A.cls-meta.xml');
  });

  it('reports a file with the wrong suffix for its folder', () => {
    const { problems } = resolveComponents(new Map([['objects/Thing__c.txt', b('')]]));
    expect(problems[0]?.componentType).toBe('CustomObject');
    expect(problems[0]?.problem ?? '').toMatch(/does not end with \.object/);
  });
});
