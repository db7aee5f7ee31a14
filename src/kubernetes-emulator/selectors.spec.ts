import { describe, expect, it } from '@jest/globals';
import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  requirementsOf,
  SelectorError,
  selectorString,
} from './selectors.js';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', 'example.com/team': 'a' };
  const match = (selector: string) => matchesLabels(parseLabelSelector(selector), labels);

  it('matches equality, inequality, set and existence terms', () => {
    expect(match('')).toBe(true);
    expect(match('app=web')).toBe(true);
    expect(match('app==web,tier=front')).toBe(true);
    expect(match('app=api')).toBe(false);
    expect(match('app!=api')).toBe(true);
    expect(match('missing!=x')).toBe(true);
    expect(match('tier in (back, front)')).toBe(true);
    expect(match('tier notin (front)')).toBe(false);
    expect(match('example.com/team')).toBe(true);
    expect(match('!missing')).toBe(true);
    expect(match('!app')).toBe(false);
  });

  it('refuses what is not a selector', () => {
    expect(() => parseLabelSelector('=x')).toThrow(SelectorError);
    expect(() => parseLabelSelector('a b')).toThrow(SelectorError);
  });

  it('reads spec.selector objects and writes them back as a query string', () => {
    const selector = {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['a', 'b'] },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    };
    expect(matchesLabels(requirementsOf(selector), { app: 'web', tier: 'b' })).toBe(true);
    expect(matchesLabels(requirementsOf(selector), { app: 'web', tier: 'b', legacy: 'y' })).toBe(false);
    expect(selectorString(selector)).toBe('app=web,tier in (a,b),!legacy');
    expect(() => requirementsOf({ matchExpressions: [{ key: 'a', operator: 'Near' }] })).toThrow(SelectorError);
  });
});

describe('field selectors', () => {
  it('match metadata.name and metadata.namespace, and refuse other fields', () => {
    const fields = parseFieldSelector('metadata.name=web,metadata.namespace!=kube-system');
    expect(matchesFields(fields, { name: 'web', namespace: 'default' })).toBe(true);
    expect(matchesFields(fields, { name: 'web', namespace: 'kube-system' })).toBe(false);
    expect(() => parseFieldSelector('status.phase=Running')).toThrow('field label not supported: status.phase');
  });
});
