// /_emulator HTTP routes over KubernetesEmulatorAdmin (JSON in and out, guarded by the x-emulator-admin header).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveAdminRoute, standardAdminRoutes, type AdminRoute } from '../common/emulator-admin.js';
import type { KubernetesEmulatorAdmin } from './admin.api.js';

export { ADMIN_HEADER, ADMIN_PREFIX } from '../common/emulator-admin.js';

const ROUTES: readonly AdminRoute<KubernetesEmulatorAdmin>[] = [
  ...standardAdminRoutes<KubernetesEmulatorAdmin>(),
  {
    method: 'POST',
    path: '/faults/unavailable-rollout',
    handle: (a, b) => a.neverAvailable(b),
  },
  { method: 'POST', path: '/faults/api-error', handle: (a, b) => a.failRequests(b) },
];

/** Serves one /_emulator request (src/common/emulator-admin.ts). */
export function handleAdmin(
  admin: KubernetesEmulatorAdmin,
  adminKey: string,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  body: Buffer,
): void {
  serveAdminRoute(ROUTES, admin, adminKey, req, res, path, body);
}
