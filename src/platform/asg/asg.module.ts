import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { PlatformModule } from '../platform.module.js';
import { PlatformProviders } from '../provider-registry.js';
import { AsgProvider } from './asg.provider.js';

/** Puts the `asg` provider in the registry when the application starts (start-up fails without it). */
@Injectable()
export class AsgProviderRegistration implements OnModuleInit {
  readonly provider = new AsgProvider();

  constructor(private readonly providers: PlatformProviders) {}

  onModuleInit(): void {
    this.providers.register(this.provider);
  }
}

@Module({
  imports: [PlatformModule],
  providers: [AsgProviderRegistration],
})
export class AsgProviderModule {}
