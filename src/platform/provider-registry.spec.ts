import { describe, expect, it } from '@jest/globals';
import type { PlatformProvider } from './provider.js';
import { PlatformProviders } from './provider-registry.js';

const provider = (kind: PlatformProvider['kind']) => ({ kind }) as PlatformProvider;

describe('PlatformProviders', () => {
  it('refuses a second provider for one kind', () => {
    const registry = new PlatformProviders();
    registry.register(provider('kubernetes'));
    expect(() => registry.register(provider('kubernetes'))).toThrow(
      'Two platform providers registered for "kubernetes"',
    );
  });

  it('names every kind without a provider, so start-up fails before a stage needs one', () => {
    const registry = new PlatformProviders();
    expect(() => registry.assertComplete()).toThrow('No platform provider registered for: salesforce, kubernetes, ssh');
    registry.register(provider('salesforce'));
    registry.register(provider('kubernetes'));
    expect(() => registry.assertComplete()).toThrow('No platform provider registered for: ssh');
    registry.register(provider('ssh'));
    expect(() => registry.assertComplete()).toThrow('No platform provider registered for: asg');
    registry.register(provider('asg'));
    expect(() => registry.assertComplete()).not.toThrow();
    expect(registry.get('kubernetes').kind).toBe('kubernetes');
  });
});
