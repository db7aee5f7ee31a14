import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { PackagesModule } from '../packages/packages.module.js';
import { packageSource } from '../packages/package-source.js';
import { PackagesService } from '../packages/packages.service.js';
import { PlatformModule } from '../platform.module.js';
import { PlatformProviders } from '../provider-registry.js';
import { CfProvider } from './cf.provider.js';

/** Puts the `cf` provider in the registry when the application starts, reading packages from the package store. */
@Injectable()
export class CfProviderRegistration implements OnModuleInit {
  readonly provider: CfProvider;

  constructor(
    private readonly providers: PlatformProviders,
    packages: PackagesService,
  ) {
    this.provider = new CfProvider({
      packages: packageSource(packages),
    });
  }

  onModuleInit(): void {
    this.providers.register(this.provider);
  }
}

@Module({
  imports: [PlatformModule, PackagesModule],
  providers: [CfProviderRegistration],
})
export class CfProviderModule {}
