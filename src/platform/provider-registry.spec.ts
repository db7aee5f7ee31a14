import { describe, expect, it } from '@jest/globals';
import { INFRASTRUCTURE_KINDS } from './infrastructures/infrastructure-connection.js';
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
    expect(INFRASTRUCTURE_KINDS).toEqual(['salesforce', 'kubernetes', 'ssh', 'helm', 'ecs', 'asg', 'cf']);
    expect(() => registry.assertComplete()).toThrow(
      `No platform provider registered for: ${INFRASTRUCTURE_KINDS.join(', ')}`,
    );
    registry.register(provider('salesforce'));
    registry.register(provider('kubernetes'));
    expect(() => registry.assertComplete()).toThrow(
      `No platform provider registered for: ${INFRASTRUCTURE_KINDS.slice(2).join(', ')}`,
    );
    for (const kind of INFRASTRUCTURE_KINDS.slice(2)) registry.register(provider(kind));
    expect(() => registry.assertComplete()).not.toThrow();
    expect(registry.get('kubernetes').kind).toBe('kubernetes');
  });
});
