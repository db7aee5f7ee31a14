import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { CONFIG } from '../../config/config.module.js';
import type { Config } from '../../config/config.js';
import { PackagesModule } from '../packages/packages.module.js';
import { packageSource } from '../packages/package-source.js';
import { PackagesService } from '../packages/packages.service.js';
import { PlatformModule } from '../platform.module.js';
import { PlatformProviders } from '../provider-registry.js';
import { HelmProvider } from './helm.provider.js';

/** Puts the `helm` provider in the registry when the application starts; charts come from the package store. */
@Injectable()
export class HelmProviderRegistration implements OnModuleInit {
  readonly provider: HelmProvider;

  constructor(
    private readonly providers: PlatformProviders,
    packages: PackagesService,
    @Inject(CONFIG) config: Pick<Config, 'HELM_BIN'>,
  ) {
    this.provider = new HelmProvider({
      bin: config.HELM_BIN,
      packages: packageSource(packages),
    });
  }

  onModuleInit(): void {
    this.providers.register(this.provider);
  }
}

@Module({
  imports: [PlatformModule, PackagesModule],
  providers: [HelmProviderRegistration],
})
export class HelmProviderModule {}
