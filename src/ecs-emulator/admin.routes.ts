// /_emulator HTTP routes over EcsEmulatorAdmin (JSON in and out, guarded by the x-emulator-admin header).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveAdminRoute, type AdminRoute } from '../common/emulator-admin.js';
import type { EcsEmulatorAdmin } from './admin.api.js';
import type { LatencySpec, UnhealthyTasksSpec } from './fault-injector.js';

export { ADMIN_HEADER, ADMIN_PREFIX } from '../common/emulator-admin.js';

const ROUTES: readonly AdminRoute<EcsEmulatorAdmin>[] = [
  { method: 'GET', path: '/clock', handle: (a) => a.clockAnswer() },
  { method: 'POST', path: '/tick', handle: (a, b) => a.tick(Number(b.seconds ?? 1)) },
  {
    method: 'POST',
    path: '/settle',
    handle: (a, b) => a.settle(b.maxSeconds === undefined ? undefined : Number(b.maxSeconds)),
  },
  { method: 'POST', path: '/clusters', handle: (a, b) => a.createCluster(typeof b.name === 'string' ? b.name : '') },
  { method: 'GET', path: '/requests', handle: (a) => ({ requests: a.requests() }) },
  { method: 'DELETE', path: '/requests', handle: (a) => a.resetRequests() },
  { method: 'GET', path: '/faults', handle: (a) => a.faults() },
  { method: 'DELETE', path: '/faults', handle: (a) => a.clearFaults() },
  {
    method: 'POST',
    path: '/faults/unhealthy-tasks',
    handle: (a, b) => a.unhealthyTasks(b as unknown as UnhealthyTasksSpec),
  },
  { method: 'POST', path: '/faults/api-error', handle: (a, b) => a.failRequests(b) },
  { method: 'POST', path: '/faults/latency', handle: (a, b) => a.addLatency(b as unknown as LatencySpec) },
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
