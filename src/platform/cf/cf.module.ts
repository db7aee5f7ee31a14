import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { PackagesModule } from '../packages/packages.module.js';
import { PackagesService } from '../packages/packages.service.js';
import { PlatformModule } from '../platform.module.js';
import { PlatformProviders } from '../provider-registry.js';
import { StageFailed } from '../provider.js';
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
      packages: {
        async bytes(name, version) {
          const found = await packages.find(name, version);
          if (!found) throw new StageFailed(`Package ${name} version ${version} is not in the package store.`);
          try {
            return { content: await packages.content(found), sha256: found.sha256, format: found.format };
          } catch (error) {
            // pruned (410) or damaged: a sentence the stage shows, not a fault to retry
            throw new StageFailed(`Package ${name} ${version} cannot be read: ${(error as Error).message}`);
          }
        },
      },
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
