// A compile-style check of Apex sources: braces must balance outside strings and comments.

export interface SourceProblem {
  readonly problem: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

type ScanState = 'code' | 'string' | 'lineComment' | 'blockComment';

/** The first brace problem in an Apex class or trigger body, or undefined when braces balance. */
export function checkApexBraces(source: string): SourceProblem | undefined {
  let state: ScanState = 'code';
  let depth = 0;
  let line = 1;
  let column = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    const next = source[i + 1];
    if (c === '\n') {
      line++;
      column = 0;
      if (state === 'lineComment') state = 'code';
      continue;
    }
    column++;
    if (state === 'string') {
      if (c === '\\') {
        i++;
        column++;
      } else if (c === "'") {
        state = 'code';
      }
    } else if (state === 'blockComment') {
      if (c === '*' && next === '/') {
        state = 'code';
        i++;
        column++;
      }
    } else if (state === 'code') {
      if (c === "'") state = 'string';
      else if (c === '/' && next === '/') state = 'lineComment';
      else if (c === '/' && next === '*') {
        state = 'blockComment';
        i++;
        column++;
      } else if (c === '{') depth++;
      else if (c === '}') {
        if (depth === 0) return { problem: "Unexpected token '}'.", lineNumber: line, columnNumber: column };
        depth--;
      }
    }
  }
  if (depth > 0) return { problem: "Expecting '}' but was: '<EOF>'", lineNumber: line, columnNumber: column + 1 };
  return undefined;
}
