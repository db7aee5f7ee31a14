import type { INestApplication } from '@nestjs/common';
import type { KubernetesEmulatorHandle } from '../kubernetes-emulator/kubernetes-emulator.server.js';
import { InfrastructuresService } from '../platform/infrastructures/infrastructures.service.js';
import { SYSTEM } from './demo-org.js';

export const LOCAL_CLUSTER_NAME = 'Local Cluster';

/**
 * Registers the in-process Kubernetes emulator as the `dev` infrastructure "Local Cluster", or points it at this run's
 * address and token (both may change on a restart). An infrastructure a person named "Local Cluster" is left alone.
 */
export async function ensureLocalCluster(app: INestApplication, cluster: KubernetesEmulatorHandle): Promise<void> {
  await app.get(InfrastructuresService).ensureSystemInfrastructure(
    {
      name: LOCAL_CLUSTER_NAME,
      environment: 'dev',
      kind: 'kubernetes',
      connection: { server: cluster.url, token: cluster.token },
    },
    SYSTEM.tokenId,
  );
}
