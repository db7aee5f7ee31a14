import { describe, expect, it } from '@jest/globals';
import { parseCfSpec } from './cf-spec.js';

const base = { org: 'acme', space: 'prod', app: 'web', package: 'shop' };

describe('parseCfSpec', () => {
  it('defaults to a rolling deployment of one instance at a time, version from the release', () => {
    expect(parseCfSpec(base)).toEqual({
      ...base,
      version: null,
      strategy: 'rolling',
      maxInFlight: 1,
      canarySteps: null,
    });
  });

  it('takes a version (an expression until resolved) and canary steps', () => {
    expect(
      parseCfSpec({
        ...base,
        version: '<+artifact.tag>',
        strategy: 'canary',
        canary: { steps: [{ instanceWeight: 10 }, { instanceWeight: 50 }] },
      }),
    ).toMatchObject({ version: '<+artifact.tag>', strategy: 'canary', canarySteps: [10, 50] });
  });

  it('is a 400 naming the field', () => {
    expect(() => parseCfSpec({ ...base, app: '' })).toThrow(/app: is required/);
    expect(() => parseCfSpec({ ...base, strategy: 'blue-green' })).toThrow(/strategy: must be one of/);
    expect(() => parseCfSpec({ ...base, canary: { steps: [{ instanceWeight: 10 }] } })).toThrow(
      /canary: is only valid/,
    );
    expect(() =>
      parseCfSpec({ ...base, strategy: 'canary', canary: { steps: [{ instanceWeight: 50 }, { instanceWeight: 10 }] } }),
    ).toThrow(/ascending/);
    expect(() => parseCfSpec({ ...base, droplet: 'x' })).toThrow(/unknown field\(s\) droplet/);
  });
});
