import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
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
    assert.deepEqual(problems, []);
    assert.deepEqual(
      components.map((c) => [c.type, c.fullName, c.fileName, [...c.files.keys()]]),
      [
        ['ApexClass', 'A', 'classes/A.cls', ['classes/A.cls', 'classes/A.cls-meta.xml']],
        ['LightningComponentBundle', 'card', 'lwc/card', ['lwc/card/card.js', 'lwc/card/card.js-meta.xml']],
        ['Layout', 'Account-Account Layout', 'layouts/Account-Account Layout.layout', ['layouts/Account-Account Layout.layout']],
      ],
    );
  });

  it('reports a file in an unknown folder without a component type', () => {
    const { components, problems } = resolveComponents(new Map([['widgets/W.widget', b('')]]));
    assert.equal(components.length, 0);
    assert.deepEqual(problems, [{ componentType: '', fullName: 'widgets/W.widget', fileName: 'widgets/W.widget', problem: "Unknown metadata folder 'widgets' (file widgets/W.widget)" }]);
  });

  it('reports a class whose meta file is missing', () => {
    const { components, problems } = resolveComponents(new Map([['classes/A.cls', b('class A {}')]]));
    assert.equal(components.length, 0);
    assert.equal(problems[0]?.componentType, 'ApexClass');
    assert.equal(problems[0]?.problem, 'Missing file: classes/A.cls-meta.xml');
  });

  it('reports a file with the wrong suffix for its folder', () => {
    const { problems } = resolveComponents(new Map([['objects/Thing__c.txt', b('')]]));
    assert.equal(problems[0]?.componentType, 'CustomObject');
    assert.match(problems[0]?.problem ?? '', /does not end with \.object/);
  });
});
