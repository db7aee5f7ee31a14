import { Injectable } from '@nestjs/common';
import { INFRASTRUCTURE_KINDS, type InfrastructureKind } from './infrastructures/infrastructure-connection.js';
import type { PlatformProvider } from './provider.js';

/** Providers by infrastructure kind; start-up fails when a kind has none or two (ADR 0014). */
@Injectable()
export class PlatformProviders {
  private readonly providers = new Map<InfrastructureKind, PlatformProvider>();

  register(provider: PlatformProvider): void {
    if (this.providers.has(provider.kind)) throw new Error(`Two platform providers registered for "${provider.kind}"`);
    this.providers.set(provider.kind, provider);
  }

  get(kind: InfrastructureKind): PlatformProvider {
    const provider = this.providers.get(kind);
    if (!provider) throw new Error(`No platform provider for "${kind}"`);
    return provider;
  }

  assertComplete(kinds: readonly InfrastructureKind[] = INFRASTRUCTURE_KINDS): void {
    const missing = kinds.filter((k) => !this.providers.has(k));
    if (missing.length) throw new Error(`No platform provider registered for: ${missing.join(', ')}`);
  }
}
