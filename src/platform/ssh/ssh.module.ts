import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { CONFIG } from '../../config/config.module.js';
import type { Config } from '../../config/config.js';
import { PlatformModule } from '../platform.module.js';
import { PlatformProviders } from '../provider-registry.js';
import { SshProvider, type PackageSource } from './ssh.provider.js';

/** Puts the `ssh` provider in the registry when the application starts (start-up fails without it). */
@Injectable()
export class SshProviderRegistration implements OnModuleInit {
  readonly provider: SshProvider;

  constructor(
    private readonly providers: PlatformProviders,
    @Inject(CONFIG) config: Pick<Config, 'RETAIN_RELEASES'>,
  ) {
    // PLACEHOLDER until the packages module lands in this branch
    const packages: PackageSource = { bytes: () => Promise.reject(new Error('packages not merged yet')) };
    this.provider = new SshProvider({ packages, retainReleases: config.RETAIN_RELEASES });
  }

  onModuleInit(): void {
    this.providers.register(this.provider);
  }
}

@Module({
  imports: [PlatformModule],
  providers: [SshProviderRegistration],
})
export class SshProviderModule {}
