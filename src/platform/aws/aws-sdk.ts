import { LazyModule } from '../lazy-module.js';

/** The AWS SDK clients, each imported when a provider first opens a connection of its kind (lazy-module.ts). */
export const ecsSdk = new LazyModule('@aws-sdk/client-ecs', () => import('@aws-sdk/client-ecs'));
export const autoScalingSdk = new LazyModule(
  '@aws-sdk/client-auto-scaling',
  () => import('@aws-sdk/client-auto-scaling'),
);
export const ec2Sdk = new LazyModule('@aws-sdk/client-ec2', () => import('@aws-sdk/client-ec2'));
