// /_emulator HTTP routes over KubernetesEmulatorAdmin (JSON in and out, guarded by the x-emulator-admin header).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveAdminRoute, type AdminRoute } from '../common/emulator-admin.js';
import type { KubernetesEmulatorAdmin } from './admin.api.js';
import type { LatencySpec } from './fault-injector.js';

export { ADMIN_HEADER, ADMIN_PREFIX } from '../common/emulator-admin.js';

const ROUTES: readonly AdminRoute<KubernetesEmulatorAdmin>[] = [
  { method: 'GET', path: '/clock', handle: (a) => a.clockAnswer() },
  { method: 'POST', path: '/tick', handle: (a, b) => a.tick(Number(b.seconds ?? 1)) },
  {
    method: 'POST',
    path: '/settle',
    handle: (a, b) => a.settle(b.maxSeconds === undefined ? undefined : Number(b.maxSeconds)),
  },
  { method: 'GET', path: '/faults', handle: (a) => a.faults() },
  { method: 'GET', path: '/requests', handle: (a) => ({ requests: a.requests() }) },
  { method: 'DELETE', path: '/requests', handle: (a) => a.resetRequests() },
  { method: 'DELETE', path: '/faults', handle: (a) => a.clearFaults() },
  {
    method: 'POST',
    path: '/faults/unavailable-rollout',
    handle: (a, b) => a.neverAvailable(b),
  },
  { method: 'POST', path: '/faults/api-error', handle: (a, b) => a.failRequests(b) },
  { method: 'POST', path: '/faults/latency', handle: (a, b) => a.addLatency(b as unknown as LatencySpec) },
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
