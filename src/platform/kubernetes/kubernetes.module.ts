import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { PlatformModule } from '../platform.module.js';
import { PlatformProviders } from '../provider-registry.js';
import { KubernetesProvider } from './kubernetes.provider.js';

/** Puts the `kubernetes` provider in the registry when the application starts (start-up fails without it). */
@Injectable()
export class KubernetesProviderRegistration implements OnModuleInit {
  readonly provider = new KubernetesProvider();

  constructor(private readonly providers: PlatformProviders) {}

  onModuleInit(): void {
    this.providers.register(this.provider);
  }
}

@Module({
  imports: [PlatformModule],
  providers: [KubernetesProviderRegistration],
})
export class KubernetesProviderModule {}
