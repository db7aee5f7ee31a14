import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeXml, renderElement } from './xml-writer.js';

describe('renderElement', () => {
  it('repeats the element for each array item and nests objects', () => {
    assert.equal(renderElement('result', { id: 'a', items: ['x', 'y'] }), '<result><id>a</id><items>x</items><items>y</items></result>');
  });

  it('renders booleans and numbers as text, skips undefined and marks null as nil', () => {
    assert.equal(renderElement('r', { done: true, n: 3, gone: undefined, none: null }), '<r><done>true</done><n>3</n><none xsi:nil="true"/></r>');
  });

  it('turns @-keys into attributes', () => {
    assert.equal(renderElement('records', { '@xsi:type': 'ApexClass', fullName: 'A' }), '<records xsi:type="ApexClass"><fullName>A</fullName></records>');
  });

  it('escapes markup in text', () => {
    assert.equal(escapeXml(`a<b & 'c'>`), 'a&lt;b &amp; &apos;c&apos;&gt;');
  });
});
