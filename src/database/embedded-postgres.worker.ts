// The thread that runs PGlite and its wire-protocol server, so SQL work does not share the event loop with the service.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { serveWireProtocol } from './wire-server.js';

const { dbDir } = workerData as { dbDir: string };
// 32 MB of shared buffers instead of PostgreSQL's 128 MB: the service's resident memory includes them, and the
// files are read through the operating system's page cache anyway (docs/benchmarks.md, "Memory").
const db = await PGlite.create(dbDir, { startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'] });
const server = await serveWireProtocol(db);

parentPort!.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  void (async () => {
    await server.stop();
    await db.close();
    parentPort!.postMessage({ type: 'stopped' });
  })();
});
parentPort!.postMessage({ type: 'ready', address: server.address });
