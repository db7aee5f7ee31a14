import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { CONFIG } from '../../config/config.module.js';
import type { Config } from '../../config/config.js';
import { PackagesModule } from '../packages/packages.module.js';
import { packageSource } from '../packages/package-source.js';
import { PackagesService } from '../packages/packages.service.js';
import { PlatformModule } from '../platform.module.js';
import { PlatformProviders } from '../provider-registry.js';
import { SshProvider } from './ssh.provider.js';

/** Puts the `ssh` provider in the registry when the application starts, reading packages from the package store. */
@Injectable()
export class SshProviderRegistration implements OnModuleInit {
  readonly provider: SshProvider;

  constructor(
    private readonly providers: PlatformProviders,
    packages: PackagesService,
    @Inject(CONFIG) config: Pick<Config, 'RETAIN_RELEASES'>,
  ) {
    this.provider = new SshProvider({
      retainReleases: config.RETAIN_RELEASES,
      packages: packageSource(packages),
    });
  }

  onModuleInit(): void {
    this.providers.register(this.provider);
  }
}

@Module({
  imports: [PlatformModule, PackagesModule],
  providers: [SshProviderRegistration],
})
export class SshProviderModule {}
