import type { INestApplication } from '@nestjs/common';
import type { Principal } from '../auth/permissions.js';
import type { EmulatorHandle } from '../emulator/emulator.server.js';
import { OrgsService } from '../orgs/orgs.service.js';

export const DEMO_ORG_NAME = 'Local Sandbox';

export const SYSTEM: Principal = {
  tokenId: '00000000-0000-0000-0000-000000000000',
  name: 'system',
  permissions: ['admin'],
  environments: null,
};

/** Registers the built-in emulator org as "Local Sandbox", or points it at this run's emulator address. */
export async function ensureDemoOrg(app: INestApplication, emulator: EmulatorHandle): Promise<void> {
  const orgs = app.get(OrgsService);
  const { username, password, instanceUrl } = emulator.defaultOrg;
  const auth = { type: 'password' as const, username, password, loginUrl: instanceUrl };
  const existing = await orgs.findByName(DEMO_ORG_NAME);
  if (existing?.isDemo) {
    await orgs.updateConnection(existing.id, instanceUrl, { auth });
    return;
  }
  if (existing) return;
  await orgs.create({ name: DEMO_ORG_NAME, environment: 'sandbox', instanceUrl, apiVersion: '60.0', auth }, SYSTEM, {
    demo: true,
  });
}
