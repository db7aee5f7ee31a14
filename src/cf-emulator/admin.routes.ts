// /_emulator HTTP routes over CfEmulatorAdmin (JSON in and out, guarded by the x-emulator-admin header).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveAdminRoute, type AdminRoute } from '../common/emulator-admin.js';
import type { AppSeed, CfEmulatorAdmin } from './admin.api.js';
import type { LatencySpec, UnhealthyDropletSpec } from './fault-injector.js';

export { ADMIN_HEADER, ADMIN_PREFIX } from '../common/emulator-admin.js';

const ROUTES: readonly AdminRoute<CfEmulatorAdmin>[] = [
  { method: 'POST', path: '/apps', handle: (a, b) => a.seedApp(b as unknown as AppSeed) },
  { method: 'GET', path: '/clock', handle: (a) => a.clockAnswer() },
  { method: 'POST', path: '/tick', handle: (a, b) => a.tick(Number(b.seconds ?? 1)) },
  {
    method: 'POST',
    path: '/settle',
    handle: (a, b) => a.settle(b.maxSeconds === undefined ? undefined : Number(b.maxSeconds)),
  },
  { method: 'GET', path: '/faults', handle: (a) => a.faults() },
  { method: 'DELETE', path: '/faults', handle: (a) => a.clearFaults() },
  { method: 'POST', path: '/faults/error', handle: (a, b) => a.failRequests(b) },
  { method: 'POST', path: '/faults/latency', handle: (a, b) => a.addLatency(b as unknown as LatencySpec) },
  { method: 'POST', path: '/faults/drop', handle: (a, b) => a.dropConnections(b) },
  {
    method: 'POST',
    path: '/faults/unhealthy-droplet',
    handle: (a, b) => a.unhealthyDroplet(b as unknown as UnhealthyDropletSpec),
  },
  { method: 'GET', path: '/requests', handle: (a) => ({ requests: a.requests() }) },
  { method: 'DELETE', path: '/requests', handle: (a) => a.resetRequests() },
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
