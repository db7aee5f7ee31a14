// /_emulator HTTP routes over CfEmulatorAdmin (JSON in and out, guarded by the x-emulator-admin header).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveAdminRoute, standardAdminRoutes, type AdminRoute } from '../common/emulator-admin.js';
import type { AppSeed, CfEmulatorAdmin } from './admin.api.js';
import type { UnhealthyDropletSpec } from './fault-injector.js';

export { ADMIN_HEADER, ADMIN_PREFIX } from '../common/emulator-admin.js';

const ROUTES: readonly AdminRoute<CfEmulatorAdmin>[] = [
  ...standardAdminRoutes<CfEmulatorAdmin>(),
  { method: 'POST', path: '/apps', handle: (a, b) => a.seedApp(b as unknown as AppSeed) },
  { method: 'POST', path: '/faults/error', handle: (a, b) => a.failRequests(b) },
  { method: 'POST', path: '/faults/drop', handle: (a, b) => a.dropConnections(b) },
  {
    method: 'POST',
    path: '/faults/unhealthy-droplet',
    handle: (a, b) => a.unhealthyDroplet(b as unknown as UnhealthyDropletSpec),
  },
];

/** Serves one /_emulator request (src/common/emulator-admin.ts). */
export function handleAdmin(
  admin: CfEmulatorAdmin,
  adminKey: string,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  body: Buffer,
): void {
  serveAdminRoute(ROUTES, admin, adminKey, req, res, path, body);
}
