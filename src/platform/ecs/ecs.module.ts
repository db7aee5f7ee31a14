import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { PlatformModule } from '../platform.module.js';
import { PlatformProviders } from '../provider-registry.js';
import { EcsProvider } from './ecs.provider.js';

/** Puts the `ecs` provider in the registry when the application starts (start-up fails without it). */
@Injectable()
export class EcsProviderRegistration implements OnModuleInit {
  readonly provider = new EcsProvider();

  constructor(private readonly providers: PlatformProviders) {}

  onModuleInit(): void {
    this.providers.register(this.provider);
  }
}

@Module({
  imports: [PlatformModule],
  providers: [EcsProviderRegistration],
})
export class EcsProviderModule {}
