import { describe, it, expect } from '@jest/globals';
import { codePoint, escapeHidden, findNulCharacter, hiddenCharacter } from './text.js';

describe('hiddenCharacter', () => {
  it('finds control characters', () => {
    expect(hiddenCharacter('a\u0000b')).toBe('\u0000');
    expect(hiddenCharacter('a\tb')).toBe('\t');
  });
  it('finds bidirectional overrides and zero-width characters', () => {
    expect(hiddenCharacter('Invoice\u202Eslc')).toBe('\u202E');
    expect(hiddenCharacter('Acc\u200Bount')).toBe('\u200B');
  });
  it('accepts ordinary names, accents and spaces included', () => {
    expect(hiddenCharacter('Account-Account Layout')).toBeNull();
    expect(hiddenCharacter('Fête_du_Client__c')).toBeNull();
  });
});

describe('codePoint and escapeHidden', () => {
  it('show hidden characters as code points', () => {
    expect(codePoint('\u202E')).toBe('U+202E');
    expect(escapeHidden('a\u202Eb\u0000')).toBe('a\\u{202e}b\\u{0}');
  });
});

describe('findNulCharacter', () => {
  it('names the field that holds a NUL, nested in arrays and objects', () => {
    expect(findNulCharacter({ components: [{ type: 'ApexClass', fullName: 'A\u0000' }] })).toBe(
      'components.0.fullName',
    );
    expect(findNulCharacter({ name: 'ok' })).toBeNull();
  });
  it('ignores binary bodies', () => {
    expect(findNulCharacter(Buffer.from([0, 0]))).toBeNull();
  });
  it('reports a bare string value', () => {
    expect(findNulCharacter('x\u0000', 'component')).toBe('component');
  });
});
