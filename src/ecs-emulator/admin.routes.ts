// /_emulator HTTP routes over EcsEmulatorAdmin (JSON in and out, guarded by the x-emulator-admin header).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveAdminRoute, standardAdminRoutes, type AdminRoute } from '../common/emulator-admin.js';
import type { EcsEmulatorAdmin } from './admin.api.js';
import type { UnhealthyTasksSpec } from './fault-injector.js';

export { ADMIN_HEADER, ADMIN_PREFIX } from '../common/emulator-admin.js';

const ROUTES: readonly AdminRoute<EcsEmulatorAdmin>[] = [
  ...standardAdminRoutes<EcsEmulatorAdmin>(),
  { method: 'POST', path: '/clusters', handle: (a, b) => a.createCluster(typeof b.name === 'string' ? b.name : '') },
  {
    method: 'POST',
    path: '/faults/unhealthy-tasks',
    handle: (a, b) => a.unhealthyTasks(b as unknown as UnhealthyTasksSpec),
  },
  { method: 'POST', path: '/faults/api-error', handle: (a, b) => a.failRequests(b) },
  {
    method: 'POST',
    path: '/faults/drop-connection',
    handle: (a, b) => a.dropConnections(b),
  },
];

/** Serves one /_emulator request (src/common/emulator-admin.ts). */
export function handleAdmin(
  admin: EcsEmulatorAdmin,
  adminKey: string,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  body: Buffer,
): void {
  serveAdminRoute(ROUTES, admin, adminKey, req, res, path, body);
}
