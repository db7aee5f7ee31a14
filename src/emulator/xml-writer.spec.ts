import { describe, it, expect } from '@jest/globals';
import { escapeXml, renderElement } from './xml-writer.js';

describe('renderElement', () => {
  it('repeats the element for each array item and nests objects', () => {
    expect(renderElement('result', { id: 'a', items: ['x', 'y'] })).toBe(
      '<result><id>a</id><items>x</items><items>y</items></result>',
    );
  });

  it('renders booleans and numbers as text, skips undefined and marks null as nil', () => {
    expect(renderElement('r', { done: true, n: 3, gone: undefined, none: null })).toBe(
      '<r><done>true</done><n>3</n><none xsi:nil="true"/></r>',
    );
  });

  it('turns @-keys into attributes', () => {
    expect(renderElement('records', { '@xsi:type': 'ApexClass', fullName: 'A' })).toBe(
      '<records xsi:type="ApexClass"><fullName>A</fullName></records>',
    );
  });

  it('escapes markup in text', () => {
    expect(escapeXml(`a<b & 'c'>`)).toBe('a&lt;b &amp; &apos;c&apos;&gt;');
  });
});
