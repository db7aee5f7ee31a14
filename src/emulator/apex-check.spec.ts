import { describe, it, expect } from '@jest/globals';
import { checkApexBraces } from './apex-check.js';

describe('checkApexBraces', () => {
  it('accepts balanced braces', () => {
    expect(checkApexBraces('public class A {\n  void m() { if (x) { } }\n}\n')).toBe(undefined);
  });

  it('reports a missing closing brace at the end of the file', () => {
    const problem = checkApexBraces('public class A {\n  void m() {\n  }\n');
    expect(problem).toEqual({ problem: "Expecting '}' but was: '<EOF>'", lineNumber: 4, columnNumber: 1 });
  });

  it('reports an extra closing brace where it stands', () => {
    expect(checkApexBraces('class A {\n}\n }')).toEqual({
      problem: "Unexpected token '}'.",
      lineNumber: 3,
      columnNumber: 2,
    });
  });

  it('ignores braces inside strings, escaped quotes and comments', () => {
    const source = "class A {\n  String s = 'it\\'s { here';\n  // }\n  /* } { */\n}\n";
    expect(checkApexBraces(source)).toBe(undefined);
  });
});
