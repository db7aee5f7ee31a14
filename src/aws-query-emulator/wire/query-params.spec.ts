import { describe, expect, it } from '@jest/globals';
import { QueryError, QueryParams } from './query-params.js';
import { element } from './xml.js';

describe('QueryParams', () => {
  const params = QueryParams.parse(
    'Action=X&Names.member.2=b&Names.member.1=a&Names.member.10=j&Version.1=%24Latest&Version.2=3&Tags.member.1.Key=k&N=4&F=true',
  );

  it('reads .member.N and flattened lists in index order', () => {
    expect(params.list('Names', 'member')).toEqual(['a', 'b', 'j']);
    expect(params.list('Version', 'flat')).toEqual(['$Latest', '3']);
    expect(params.list('Missing', 'member')).toEqual([]);
    expect(params.indexed('Tags.member.')).toEqual([1]);
  });

  it('reads typed values and names the field when one is missing or malformed', () => {
    expect(params.integer('N')).toBe(4);
    expect(params.boolean('F')).toBe(true);
    expect(params.has('Tags')).toBe(true);
    expect(() => params.requiredString('AutoScalingGroupName')).toThrow(/AutoScalingGroupName/);
    expect(() => QueryParams.parse('N=4.5').integer('N')).toThrow(QueryError);
    expect(() => QueryParams.parse('F=yes').boolean('F')).toThrow(/F/);
  });
});

describe('element', () => {
  it('writes nested fields, escaped text, <member>/<item> lists and <Field/> for an empty list', () => {
    expect(element('G', { Name: 'a<b', Zones: ['x', 'y'], Gone: undefined, Empty: [] }, 'member')).toBe(
      '<G><Name>a&lt;b</Name><Zones><member>x</member><member>y</member></Zones><Empty/></G>',
    );
    expect(element('set', [{ n: 1 }], 'item')).toBe('<set><item><n>1</n></item></set>');
    expect(element('t', new Date('2024-01-02T03:04:05.678Z'), 'item')).toBe('<t>2024-01-02T03:04:05.678Z</t>');
  });
});
