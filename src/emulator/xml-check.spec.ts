import { describe, it, expect } from '@jest/globals';
import { checkXml } from './xml-check.js';

describe('checkXml', () => {
  it('accepts well-formed metadata with a declaration, comments, CDATA, attributes and entities', () => {
    const xml = `\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- hi -->\n<Layout xmlns="http://soap.sforce.com/2006/04/metadata" a='1'>\n  <x>a &amp; b &#169; &#xA9;</x>\n  <y/>\n  <z><![CDATA[<not a tag> & more]]></z>\n</Layout>\n`;
    expect(checkXml(xml)).toBe(undefined);
  });

  const cases: [string, string, number, number, RegExp][] = [
    ['a mismatched closing tag', '<a>\n  <b>\n</a>', 3, 1, /Expected closing tag 'b' instead of closing tag 'a'/],
    ['an unclosed tag', '<a>\n  <b>\n  </b>\n', 1, 1, /Unclosed tag 'a'/],
    ['a closing tag never opened', '<a></a></b>', 1, 8, /has not been opened|Multiple root|Text data/],
    ['text outside the root', '<a/>\ntext', 2, 1, /Text data outside of root node/],
    ['a bare ampersand', '<a>\n  fish & chips</a>', 2, 8, /Invalid entity reference/],
    ['a bare less-than', '<a> 1 < 2 </a>', 1, 7, /Invalid tag/],
    ['an unquoted attribute', '<a x=1></a>', 1, 6, /must be quoted/],
    ['a repeated attribute', '<a x="1" x="2"></a>', 1, 10, /repeated/],
    ['two roots', '<a/><b/>', 1, 5, /Multiple root nodes/],
    ['an unclosed comment', '<a><!-- x</a>', 1, 8, /Unclosed comment/],
    ['a late XML declaration', '<a/>\n<?xml version="1.0"?>', 2, 1, /XML declaration allowed only at the start/],
    ['an empty document', '   ', 1, 4, /Start tag expected/],
  ];
  for (const [what, xml, line, column, message] of cases) {
    it(`reports ${what} with its line and column`, () => {
      const problem = checkXml(xml);
      if (!problem) throw new Error('expected a problem to be reported');
      expect(problem.problem).toMatch(message);
      expect([problem.lineNumber, problem.columnNumber]).toEqual([line, column]);
    });
  }
});
