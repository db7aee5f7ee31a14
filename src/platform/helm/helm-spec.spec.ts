import { describe, expect, it } from '@jest/globals';
import { parseHelmSpec } from './helm-spec.js';

describe('parseHelmSpec', () => {
  it('fills the defaults', () => {
    expect(parseHelmSpec({ package: 'shop-chart', release: 'shop' })).toEqual({
      package: 'shop-chart',
      version: null,
      release: 'shop',
      namespace: 'default',
      values: {},
      timeoutSeconds: 300,
    });
  });

  it('keeps everything given, and accepts expressions where a resolved value goes', () => {
    const spec = {
      package: 'shop-chart',
      version: '<+artifact.version>',
      release: '<+service.name>',
      namespace: 'shop',
      values: { image: { tag: '<+artifact.tag>' }, replicas: 3 },
      timeoutSeconds: 60,
    };
    expect(parseHelmSpec(spec)).toEqual(spec);
  });

  it.each([
    [{ release: 'shop' }, /package: /],
    [{ package: 'shop-chart' }, /release: is required/],
    [{ package: 'shop-chart', release: 'Shop' }, /release: must be a Helm release name/],
    [{ package: 'shop-chart', release: '1shop' }, /release: must be a Helm release name/],
    [{ package: 'shop-chart', release: 'a'.repeat(54) }, /release: must be a Helm release name/],
    [{ package: 'shop-chart', release: 'shop', namespace: 'Prod_1' }, /namespace: must be a Kubernetes namespace/],
    [{ package: 'shop-chart', release: 'shop', values: 'image=x' }, /values: /],
    [{ package: 'shop-chart', release: 'shop', values: ['x'] }, /values: /],
    [{ package: 'shop-chart', release: 'shop', version: '1 2' }, /version: must be a package version/],
    [{ package: 'shop-chart', release: 'shop', timeoutSeconds: 0 }, /timeoutSeconds: /],
    [{ package: 'shop-chart', release: 'shop', set: { a: 1 } }, /unknown field\(s\) set/],
  ])('a bad spec is a 400 naming the field: %j', (input, message) => {
    expect(() => parseHelmSpec(input)).toThrow(message);
  });
});
