import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkApexBraces } from './apex-check.js';

describe('checkApexBraces', () => {
  it('accepts balanced braces', () => {
    assert.equal(checkApexBraces('public class A {\n  void m() { if (x) { } }\n}\n'), undefined);
  });

  it('reports a missing closing brace at the end of the file', () => {
    const problem = checkApexBraces('public class A {\n  void m() {\n  }\n');
    assert.deepEqual(problem, { problem: "Expecting '}' but was: '<EOF>'", lineNumber: 4, columnNumber: 1 });
  });

  it('reports an extra closing brace where it stands', () => {
    assert.deepEqual(checkApexBraces('class A {\n}\n }'), { problem: "Unexpected token '}'.", lineNumber: 3, columnNumber: 2 });
  });

  it('ignores braces inside strings, escaped quotes and comments', () => {
    const source = "class A {\n  String s = 'it\\'s { here';\n  // }\n  /* } { */\n}\n";
    assert.equal(checkApexBraces(source), undefined);
  });
});
