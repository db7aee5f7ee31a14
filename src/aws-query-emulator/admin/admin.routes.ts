// /_emulator HTTP routes over AwsQueryEmulatorAdmin (JSON in and out, guarded by the x-emulator-admin header).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveAdminRoute, standardAdminRoutes, type AdminRoute } from '../../common/emulator-admin.js';
import type { AwsQueryEmulatorAdmin } from './admin.api.js';
import type { ApiErrorSpec } from './fault-injector.js';

export { ADMIN_HEADER, ADMIN_PREFIX } from '../../common/emulator-admin.js';

const ROUTES: readonly AdminRoute<AwsQueryEmulatorAdmin>[] = [
  ...standardAdminRoutes<AwsQueryEmulatorAdmin>(),
  { method: 'POST', path: '/faults/api-error', handle: (a, b) => a.failRequests(b as unknown as ApiErrorSpec) },
  { method: 'POST', path: '/faults/drop-connection', handle: (a, b) => a.dropConnections(b) },
];

/** Serves one /_emulator request (src/common/emulator-admin.ts). */
export function handleAdmin(
  admin: AwsQueryEmulatorAdmin,
  adminKey: string,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  body: Buffer,
): void {
  serveAdminRoute(ROUTES, admin, adminKey, req, res, path, body);
}
