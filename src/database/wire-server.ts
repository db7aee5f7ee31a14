import net from 'node:net';
import {
  CANCEL_REQUEST_CODE,
  FrontendMessages,
  GSSENC_REQUEST_CODE,
  SSL_REQUEST_CODE,
  type FrontendMessage,
} from './frontend-messages.js';

/** What the server needs of PGlite. */
export interface WireDatabase {
  execProtocolRawStream(message: Uint8Array, options: { onRawData: (data: Uint8Array) => void }): Promise<void>;
  runExclusive<T>(fn: () => Promise<T>): Promise<T>;
  isInTransaction(): boolean;
  exec(sql: string): Promise<unknown>;
}

export interface WireServer {
  /** `host:port` */
  address: string;
  stop(): Promise<void>;
}

/**
 * Serves a PGlite database over the PostgreSQL wire protocol on a loopback port. PGlite is one session, so one
 * connection is served at a time: another one while it is open gets a FATAL "too many connections" error
 * (SQLSTATE 53300); one made once it has closed is served after its open transaction, if any, is rolled back.
 * Each message is framed once (`FrontendMessages`) and PGlite's answer to it leaves in writes of up to 64 KB.
 */
export async function serveWireProtocol(db: WireDatabase, host = '127.0.0.1', port = 0): Promise<WireServer> {
  let open: net.Socket | null = null;
  const sockets = new Set<net.Socket>();
  // every message of every connection, in order; a connection's rollback is queued after its last message
  let work: Promise<void> = Promise.resolve();
  const enqueue = (step: () => Promise<void>): void => {
    work = work.then(step).catch(() => undefined);
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy()); // a client gone mid-write (ECONNRESET): its close handler follows
    if (open) {
      socket.end(fatal('53300', 'The embedded database serves one connection at a time; another one is open.'));
      return;
    }
    open = socket;
    socket.setNoDelay(true);
    const framing = new FrontendMessages();
    socket.on('data', (chunk: Buffer) => {
      let messages: FrontendMessage[];
      try {
        messages = framing.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const message of messages) enqueue(() => answer(db, socket, message));
    });
    socket.on('close', () => {
      if (open === socket) open = null;
      enqueue(async () => {
        // exec takes PGlite's own lock (inside runExclusive it would wait for itself)
        if (db.isInTransaction()) await db.exec('ROLLBACK');
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as net.AddressInfo;
  return {
    address: `${host}:${bound.port}`,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // each socket's own close handler (which queues its rollback) runs before these
      const ended = [...sockets].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
      for (const socket of sockets) socket.destroy();
      await Promise.all(ended);
      await closed;
      await work;
    },
  };
}

/**
 * What an answer gathers before writing: PGlite hands its reply over in pieces (a row each, a few dozen bytes), so
 * they are written 64 KB at a time instead of one system call each; a larger reply still leaves as it comes (held
 * whole, a read of thousands of blobs would sit in memory until the statement ends).
 */
const WRITE_BATCH_BYTES = 64 * 1024;

/** Answers one message: PGlite's reply to it, in writes of up to 64 KB, or `N` to a request for encryption. */
async function answer(db: WireDatabase, socket: net.Socket, message: FrontendMessage): Promise<void> {
  if (socket.destroyed) return;
  if (message.code === SSL_REQUEST_CODE || message.code === GSSENC_REQUEST_CODE) {
    socket.write('N');
    return;
  }
  if (message.code === CANCEL_REQUEST_CODE) {
    socket.end(); // PGlite runs one statement at a time to its end: nothing to cancel
    return;
  }
  let batch: Buffer | undefined;
  let used = 0;
  const flush = () => {
    if (batch && used > 0 && !socket.destroyed) socket.write(batch.subarray(0, used));
    batch = undefined;
    used = 0;
  };
  try {
    await db.runExclusive(() =>
      db.execProtocolRawStream(message.bytes, {
        // the data is a view of PGlite's memory, reused by its next piece: copied before the callback returns
        onRawData: (data) => {
          if (socket.destroyed) return;
          if (used + data.length > WRITE_BATCH_BYTES) flush();
          if (data.length > WRITE_BATCH_BYTES) {
            socket.write(Buffer.from(data));
            return;
          }
          batch ??= Buffer.allocUnsafe(WRITE_BATCH_BYTES);
          batch.set(data, used);
          used += data.length;
        },
      }),
    );
    flush();
  } catch {
    socket.destroy();
  }
}

/** A FATAL ErrorResponse with `code` (SQLSTATE) and `message`. */
export function fatal(code: string, message: string): Buffer {
  const fields = Buffer.concat([
    ...(
      [
        ['S', 'FATAL'],
        ['V', 'FATAL'],
        ['C', code],
        ['M', message],
      ] as const
    ).map(([field, value]) => Buffer.from(`${field}${value}\0`, 'utf8')),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([header, fields]);
}
