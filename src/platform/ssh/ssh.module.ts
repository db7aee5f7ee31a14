import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { PlatformModule } from '../platform.module.js';
import { PlatformProviders } from '../provider-registry.js';
import { SshProvider } from './ssh.provider.js';

/** Puts the `ssh` provider in the registry when the application starts (start-up fails without it). */
@Injectable()
export class SshProviderRegistration implements OnModuleInit {
  readonly provider = new SshProvider();

  constructor(private readonly providers: PlatformProviders) {}

  onModuleInit(): void {
    this.providers.register(this.provider);
  }
}

@Module({
  imports: [PlatformModule],
  providers: [SshProviderRegistration],
})
export class SshProviderModule {}
