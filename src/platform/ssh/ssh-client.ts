import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { fingerprintOf, type SshHost } from './ssh-connection.js';
import { ssh2Module } from './ssh2-module.js';

export interface SshExecOptions {
  /** Exported before the command runs (sshd's AcceptEnv would drop them as `env` requests). */
  env?: Record<string, string>;
  /** After this long the command (its whole process group) is killed and its channel closed; the result says `timedOut`. */
  timeoutMs: number;
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  signal?: AbortSignal;
}

export interface SshExecResult {
  /** Null when the command ended without an exit status (killed by a signal, timed out): a failure. */
  exitCode: number | null;
  /** The signal that ended the command, when sshd reported one (`SIGKILL`, `SIGTERM`). */
  signal: string | null;
  /** The output (its last MAX_OUTPUT_CHARS characters each, when larger). */
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * One SSH connection to one host (the host key already checked against its pin): everything the ssh provider does
 * on a host. Every method rejects with the signal's reason when its signal aborts; a lost connection rejects with
 * SshUnreachable. Messages never hold the private key; masking secrets in commands and output is the caller's job.
 */
export interface SshSession {
  readonly host: SshHost;
  /**
   * Runs `command` through the login shell; stdout/stderr delivered line by line (secrets masked by the caller's mask).
   * The command gets no input; a timeout, an abort or a dropped connection kills it on the host (see remoteScript).
   */
  exec(command: string, options: SshExecOptions): Promise<SshExecResult>;
  /** Uploads bytes to `remotePath` (SFTP, written to `remotePath + '.part'` then renamed); returns bytes sent. */
  upload(content: Buffer, remotePath: string, options?: { mode?: number; signal?: AbortSignal }): Promise<number>;
  /** A file's bytes, or null when it does not exist. */
  readFile(remotePath: string): Promise<Buffer | null>;
  /** Writes a file atomically (temp + rename over SFTP). */
  writeFile(remotePath: string, content: Buffer | string): Promise<void>;
  /** An HTTP GET made from the host itself (through an SSH direct-tcpip channel to host:port of the URL, seen from the host); resolves status code. */
  httpGet(url: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<{ status: number }>;
  /** Bytes sent over this session so far (for the bench): commands, uploaded and written file contents. */
  readonly bytesSent: number;
  close(): void;
}

/** The host offered a key other than the pinned one: the connection was dropped before anything ran. */
export class SshHostKeyMismatch extends Error {
  constructor(
    readonly host: SshHost,
    readonly offered: string,
  ) {
    super(
      `Host key of ${address(host)} does not match: pinned ${host.hostKeyFingerprint}, the host offered ${offered}. ` +
        "Nothing was run; if the host key was rotated, update the infrastructure's hostKeyFingerprint.",
    );
    this.name = 'SshHostKeyMismatch';
  }
}

/** The host could not be reached, refused the key, or the connection was lost: the message names host:port and why. */
export class SshUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SshUnreachable';
  }
}

/** How much of each output stream an exec result keeps (its end: where the reason of a failure usually is). */
export const MAX_OUTPUT_CHARS = 1024 * 1024;
/** A line longer than this is delivered in pieces (binary output has no newlines). */
export const MAX_LINE_CHARS = 64 * 1024;
const DEFAULT_READY_TIMEOUT_MS = 20_000;
/** After the exit status (or a stop), how long the channel may stay open before it is closed from this side. */
const EXIT_DRAIN_MS = 2_000;
const WRITE_CHUNK_BYTES = 64 * 1024;
const WRITES_IN_FLIGHT = 32;
/** SFTP status code of a path that does not exist. */
const NO_SUCH_FILE = 2;

/**
 * Connects to `host` with the key and checks its host key against the pinned fingerprint before authenticating:
 * a mismatch rejects with SshHostKeyMismatch (nothing runs); a refused or timed-out connection or a refused key
 * with SshUnreachable.
 */
export async function openSshSession(
  host: SshHost,
  key: { privateKey: string; passphrase?: string },
  options: { readyTimeoutMs?: number; signal?: AbortSignal } = {},
): Promise<SshSession> {
  const ssh2 = await ssh2Module.load();
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const { signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const client = new ssh2.Client();
    let offered: string | null = null;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      client.removeListener('ready', onReady);
      outcome();
    };
    const fail = (error: Error) =>
      settle(() => {
        client.destroy();
        reject(error);
      });
    const onAbort = () => fail(signal!.reason as Error);
    const onReady = () => settle(() => resolve(new Ssh2Session(client, host)));
    signal?.addEventListener('abort', onAbort, { once: true });
    client.on('ready', onReady);
    client.on('error', (error: Error & { level?: string; code?: string }) =>
      fail(
        offered !== null && offered !== host.hostKeyFingerprint
          ? new SshHostKeyMismatch(host, offered)
          : new SshUnreachable(unreachableMessage(host, error, readyTimeoutMs)),
      ),
    );
    client.on('close', () =>
      fail(new SshUnreachable(`cannot reach ${address(host)}: the host closed the connection during the handshake`)),
    );
    try {
      client.connect({
        host: host.host,
        port: host.port,
        username: host.username,
        privateKey: key.privateKey,
        ...(key.passphrase !== undefined ? { passphrase: key.passphrase } : {}),
        readyTimeout: readyTimeoutMs,
        keepaliveInterval: 15_000,
        keepaliveCountMax: 4,
        hostVerifier: (blob: Buffer) => {
          offered = fingerprintOf(blob);
          return offered === host.hostKeyFingerprint;
        },
      });
    } catch {
      // ssh2 throws here only for a key it cannot parse; its message is not passed on (it is about the key).
      fail(
        new Error(`cannot connect to ${address(host)}: the private key cannot be used (check it and its passphrase)`),
      );
    }
  });
}

/** `host:port`, with brackets around an IPv6 address. */
export function address(host: Pick<SshHost, 'host' | 'port'>): string {
  return `${host.host.includes(':') ? `[${host.host}]` : host.host}:${host.port}`;
}

/** Why a connection failed, as a sentence naming host:port (ssh2's errors carry a `level` and socket errors a `code`). */
export function unreachableMessage(
  host: SshHost,
  error: { message: string; level?: string; code?: string },
  readyTimeoutMs: number,
): string {
  if (error.level === 'client-authentication')
    return `cannot log in to ${address(host)} as ${host.username}: the host refused the private key`;
  return `cannot reach ${address(host)}: ${unreachableReason(error, readyTimeoutMs)}`;
}

const SOCKET_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the host',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
};

function unreachableReason(error: { message: string; level?: string; code?: string }, readyTimeoutMs: number): string {
  if (error.code && SOCKET_REASONS[error.code]) return SOCKET_REASONS[error.code]!;
  if (error.level === 'client-timeout')
    return /keepalive/i.test(error.message)
      ? 'the host stopped answering (keepalive timeout)'
      : `timed out: no SSH handshake within ${readyTimeoutMs} ms`;
  if (error.level === 'handshake') return `the SSH handshake failed (${error.message})`;
  return error.message;
}

/**
 * The script sshd hands to the login shell for `command`: the variables exported, the command run by the same shell
 * in the background with no input, and a watcher on the channel's input that kills the whole process group when the
 * input ends (the client ends it on a timeout or an abort, and sshd does when the connection drops) — sshd ignores
 * signal requests and leaves a command running when its channel closes. The script exits with the command's status.
 */
export function remoteScript(command: string, env: Record<string, string> | undefined): string {
  return (
    `${exportPrefix(env)}exec 3<&0; "\${SHELL:-/bin/sh}" -c ${shellQuote(command)} 0</dev/null & bt_command=$!; ` +
    '(while read -r _; do :; done; kill -KILL 0) 0<&3 3<&- & bt_watcher=$!; exec 3<&-; ' +
    'wait $bt_command; bt_status=$?; kill $bt_watcher 2>/dev/null; exit $bt_status'
  );
}

/** `export K='v';` for each variable, values single-quoted for the shell; a name a shell cannot take is refused. */
export function exportPrefix(env: Record<string, string> | undefined): string {
  return Object.entries(env ?? {})
    .map(([name, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
        throw new Error(`environment variable name "${name}" is not a shell name (letters, digits, '_')`);
      return `export ${name}=${shellQuote(value)}; `;
    })
    .join('');
}

/** A string as one single-quoted shell word. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Cuts a byte stream into lines (UTF-8, `\n` or `\r\n`); the last line is delivered at `end()` even without `\n`.
 * `onText` gets the decoded text as it comes, unchanged.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onText?: (text: string) => void,
  ) {}

  push(chunk: Buffer): void {
    this.take(this.decoder.write(chunk));
    let start = 0;
    let newline: number;
    while ((newline = this.pending.indexOf('\n', start)) >= 0) {
      this.onLine(this.pending.slice(start, newline).replace(/\r$/, ''));
      start = newline + 1;
    }
    this.pending = this.pending.slice(start);
    while (this.pending.length > MAX_LINE_CHARS) {
      this.onLine(this.pending.slice(0, MAX_LINE_CHARS));
      this.pending = this.pending.slice(MAX_LINE_CHARS);
    }
  }

  end(): void {
    this.take(this.decoder.end());
    if (this.pending) this.onLine(this.pending.replace(/\r$/, ''));
    this.pending = '';
  }

  private take(text: string): void {
    if (!text) return;
    this.onText?.(text);
    this.pending += text;
  }
}

/** The end of a stream's text, at most `max` characters. */
export class OutputTail {
  private kept = '';

  constructor(private readonly max = MAX_OUTPUT_CHARS) {}

  append(text: string): void {
    this.kept += text;
    if (this.kept.length > 2 * this.max) this.kept = this.kept.slice(-this.max);
  }

  text(): string {
    return this.kept.length > this.max ? this.kept.slice(-this.max) : this.kept;
  }
}

/** The session over one ssh2 Client; SFTP is opened on first use and kept. */
/** An SshSession over one ssh2 connection (exported for its spec; openSshSession makes them). */
export class Ssh2Session implements SshSession {
  private sent = 0;
  private sftpChannel: Promise<SFTPWrapper> | null = null;
  /** Why the connection ended, once it has. */
  private lost: string | null = null;

  constructor(
    private readonly client: Client,
    readonly host: SshHost,
  ) {
    // An error after the handshake (a dropped connection) ends the session: what is in flight fails with it.
    client.on('error', (error: Error & { level?: string; code?: string }) => {
      this.lost ??= unreachableReason(error, 0);
    });
    client.on('close', () => {
      this.lost ??= 'the connection was closed';
    });
  }

  get bytesSent(): number {
    return this.sent;
  }

  async exec(command: string, options: SshExecOptions): Promise<SshExecResult> {
    options.signal?.throwIfAborted();
    const failure = this.unusable();
    if (failure) throw failure;
    const script = remoteScript(command, options.env);
    const cannotRun = (error: unknown) =>
      this.lostOr(new Error(`cannot run a command on ${address(this.host)}: ${asError(error).message}`));
    return new Promise<SshExecResult>((resolve, reject) => {
      try {
        this.client.exec(script, (error, channel) => {
          if (error) return reject(cannotRun(error));
          this.sent += Buffer.byteLength(script);
          // Listen in this callback, not after an await: one packet read may also carry the command's output, its
          // exit status and the close, which ssh2 emits before any later microtask runs (the exit status was lost).
          this.run(channel, options).then(resolve, reject);
        });
      } catch (error) {
        reject(cannotRun(error));
      }
    });
  }

  /** Follows a command's channel to its end: output, exit status, the timeout and the abort signal. */
  private run(channel: ClientChannel, { timeoutMs, onLine, signal }: SshExecOptions): Promise<SshExecResult> {
    return new Promise((resolve, reject) => {
      const stdout = new OutputTail();
      const stderr = new OutputTail();
      const out = new LineSplitter(
        (line) => onLine?.('stdout', line),
        (text) => stdout.append(text),
      );
      const err = new LineSplitter(
        (line) => onLine?.('stderr', line),
        (text) => stderr.append(text),
      );
      let exitCode: number | null = null;
      let exitSignal: string | null = null;
      let exited = false;
      let timedOut = false;
      let finished = false;
      let drain: NodeJS.Timeout | undefined;
      const finish = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        clearTimeout(drain);
        signal?.removeEventListener('abort', stop);
        out.end();
        err.end();
        if (signal?.aborted) reject(signal.reason as Error);
        else if (!exited && !timedOut && this.lost)
          reject(new SshUnreachable(`lost the connection to ${address(this.host)}: ${this.lost}`));
        else
          resolve({
            exitCode: timedOut ? null : exitCode,
            signal: exitSignal,
            stdout: stdout.text(),
            stderr: stderr.text(),
            timedOut,
          });
      };
      // The channel closes once the command's output ends; a process it left in the background may hold that open.
      const awaitClose = () => {
        drain ??= setTimeout(() => {
          channel.close();
          finish();
        }, EXIT_DRAIN_MS);
      };
      const stop = () => {
        // End of input: the remote script's watcher kills the command's process group (sshd ignores signals).
        channel.end();
        awaitClose();
      };
      const timer = setTimeout(() => {
        timedOut = true;
        stop();
      }, timeoutMs);
      signal?.addEventListener('abort', stop, { once: true });
      if (signal?.aborted) stop();
      channel.on('exit', (code: number | null, name?: string) => {
        exited = true;
        if (typeof code === 'number') exitCode = code;
        else exitSignal = name ?? null;
        awaitClose();
      });
      channel.on('data', (chunk: Buffer) => out.push(chunk));
      channel.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      channel.on('close', finish);
    });
  }

  async upload(content: Buffer, remotePath: string, options: { mode?: number; signal?: AbortSignal } = {}) {
    const sftp = await this.sftp();
    const part = `${remotePath}.part`;
    await this.writeVia(sftp, part, content, options.mode, options.signal);
    await this.rename(sftp, part, remotePath);
    return content.length;
  }

  async readFile(remotePath: string): Promise<Buffer | null> {
    const sftp = await this.sftp();
    return new Promise((resolve, reject) =>
      sftp.readFile(remotePath, (error, data) => {
        if (!error) return resolve(data);
        if ((error as Error & { code?: number }).code === NO_SUCH_FILE) return resolve(null);
        reject(this.lostOr(new Error(`cannot read ${remotePath} on ${address(this.host)}: ${error.message}`)));
      }),
    );
  }

  async writeFile(remotePath: string, content: Buffer | string): Promise<void> {
    const sftp = await this.sftp();
    const temporary = `${remotePath}.${randomBytes(6).toString('hex')}.tmp`;
    await this.writeVia(sftp, temporary, typeof content === 'string' ? Buffer.from(content) : content);
    await this.rename(sftp, temporary, remotePath);
  }

  async httpGet(url: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<{ status: number }> {
    if (!URL.canParse(url)) throw new Error(`"${url}" is not a URL`);
    const target = new URL(url);
    if (target.protocol !== 'http:')
      throw new Error(`only http:// URLs can be checked from ${address(this.host)} (got ${target.protocol}//)`);
    const hostname = target.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(target.port || 80);
    const what = `GET ${url} from ${address(this.host)}`;
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new Error(`${what} timed out after ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
    try {
      signal.throwIfAborted();
      const failure = this.unusable();
      if (failure) throw failure;
      const channel = await abortable<ClientChannel>(signal, (done) =>
        this.client.forwardOut('127.0.0.1', 0, hostname, port, (error, stream) =>
          done(
            error
              ? this.lostOr(new Error(`${what}: ${error.message.replace(/^\(SSH\) Channel open failure: /, '')}`))
              : null,
            stream,
          ),
        ),
      );
      return await new Promise((resolve, reject) => {
        const request = http.request(
          {
            method: 'GET',
            host: hostname,
            port,
            path: `${target.pathname}${target.search}`,
            headers: { host: target.host, connection: 'close', 'user-agent': 'Backtrack' },
            createConnection: () => asSocket(channel),
          },
          (response) => {
            resolve({ status: response.statusCode ?? 0 });
            response.destroy();
          },
        );
        const onAbort = () => request.destroy(signal.reason as Error);
        signal.addEventListener('abort', onAbort, { once: true });
        request.on('close', () => signal.removeEventListener('abort', onAbort));
        request.on('error', (error) =>
          reject(signal.aborted ? (signal.reason as Error) : new Error(`${what}: ${error.message}`)),
        );
        request.end();
      });
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.lost ??= 'the session was closed';
    this.client.end();
  }

  /** Why no new channel can be opened, or null. */
  private unusable(): Error | null {
    return this.lost ? new SshUnreachable(`lost the connection to ${address(this.host)}: ${this.lost}`) : null;
  }

  /** `error`, unless the connection is gone: then that is the reason. */
  private lostOr(error: Error): Error {
    return this.unusable() ?? error;
  }

  private sftp(): Promise<SFTPWrapper> {
    this.sftpChannel ??= new Promise<SFTPWrapper>((resolve, reject) => {
      const failure = this.unusable();
      if (failure) return reject(failure);
      this.client.sftp((error, sftp) => {
        if (!error) {
          // A closed SFTP channel is opened again on next use.
          sftp.on('close', () => (this.sftpChannel = null));
          return resolve(sftp);
        }
        this.sftpChannel = null;
        reject(this.lostOr(new Error(`cannot open SFTP on ${address(this.host)}: ${error.message}`)));
      });
    });
    return this.sftpChannel;
  }

  /** Writes `content` to `path` (created or truncated) with several writes in flight; removes it on failure. */
  private async writeVia(
    sftp: SFTPWrapper,
    path: string,
    content: Buffer,
    mode?: number,
    signal?: AbortSignal,
  ): Promise<void> {
    signal?.throwIfAborted();
    const fail = (error: Error) =>
      this.lostOr(new Error(`cannot write ${path} on ${address(this.host)}: ${error.message}`));
    const handle = await valueOf<Buffer>((done) =>
      sftp.open(path, 'w', { mode: mode ?? 0o644 }, (error, h) => done(error ? fail(error) : null, h)),
    );
    try {
      await this.writeChunks(sftp, handle, content, fail, signal);
      if (mode !== undefined) await call((done) => sftp.fchmod(handle, mode, (error) => done(error && fail(error))));
    } catch (error) {
      // Leave nothing half-written behind (what fails here is already failing).
      await call((done) => sftp.close(handle, () => done())).catch(() => undefined);
      await call((done) => sftp.unlink(path, () => done())).catch(() => undefined);
      throw error;
    }
    await call((done) => sftp.close(handle, (error) => done(error && fail(error))));
  }

  private writeChunks(
    sftp: SFTPWrapper,
    handle: Buffer,
    content: Buffer,
    fail: (error: Error) => Error,
    signal?: AbortSignal,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      let next = 0;
      let inFlight = 0;
      let failed: Error | null = null;
      const pump = () => {
        if (!failed && signal?.aborted) failed = signal.reason as Error;
        while (!failed && inFlight < WRITES_IN_FLIGHT && next < content.length) {
          const position = next;
          const length = Math.min(WRITE_CHUNK_BYTES, content.length - position);
          next += length;
          inFlight++;
          sftp.write(handle, content, position, length, position, (error) => {
            inFlight--;
            if (error) failed ??= fail(error);
            else this.sent += length;
            pump();
          });
        }
        if (inFlight === 0 && (failed || next >= content.length)) {
          if (failed) reject(failed);
          else resolve();
        }
      };
      pump();
    });
  }

  /** Renames over an existing file atomically (OpenSSH's posix-rename; plain SFTP rename refuses an existing target). */
  private async rename(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
    const fail = (error: Error) =>
      this.lostOr(new Error(`cannot rename ${from} to ${to} on ${address(this.host)}: ${error.message}`));
    try {
      await call((done) => sftp.ext_openssh_rename(from, to, (error) => done(error && fail(error))));
    } catch (error) {
      if (!/does not support/i.test((error as Error).message)) throw error;
      await call((done) => sftp.unlink(to, () => done()));
      await call((done) => sftp.rename(from, to, (error) => done(error && fail(error))));
    }
  }
}

/** A node-style call that yields a value, as a promise (a synchronous throw rejects it too). */
function valueOf<T>(start: (done: (error: Error | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    try {
      start((error, value) => {
        if (error) reject(error);
        else resolve(value as T);
      });
    } catch (error) {
      reject(asError(error));
    }
  });
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** A node-style call that yields nothing, as a promise. */
function call(start: (done: (error?: Error | null) => void) => void): Promise<void> {
  return valueOf<undefined>((done) => {
    start((error) => done(error ?? null));
  });
}

/** `valueOf`, rejecting with the signal's reason as soon as it aborts (a late result is closed if it is a channel). */
function abortable<T extends { close(): void }>(
  signal: AbortSignal,
  start: (done: (error: Error | null, value?: T) => void) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const onAbort = () => {
      settled = true;
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    valueOf<T>(start).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (settled) value.close();
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (!settled) reject(asError(error));
      },
    );
  });
}

/** An SSH channel dressed as the socket node's HTTP client expects (as ssh2's own HTTP agent does). */
function asSocket(channel: ClientChannel): ReturnType<NonNullable<http.RequestOptions['createConnection']>> {
  const noop = () => undefined;
  return Object.assign(channel, {
    setKeepAlive: noop,
    setNoDelay: noop,
    setTimeout: noop,
    ref: noop,
    unref: noop,
    destroySoon: () => channel.destroy(),
  });
}
