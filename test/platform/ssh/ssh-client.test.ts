import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { sha256 } from '../../../src/common/hash.js';
import { sleep } from '../../../src/common/polling.js';
import {
  openSshSession,
  SshHostKeyMismatch,
  SshUnreachable,
  type SshSession,
} from '../../../src/platform/ssh/ssh-client.js';
import type { SshHost } from '../../../src/platform/ssh/ssh-connection.js';
import { closeStarted } from '../../helpers/lifecycle.js';
import { freePort } from '../../helpers/processes.js';
import { ed25519KeyPair } from '../../helpers/ssh-keys.js';
import { fingerprintOfFile, startSshd, type TestSshd } from '../../helpers/sshd.js';
import { rejectionOf as thrown } from '../../helpers/thrown.js';

function hostOf(sshd: TestSshd, overrides: Partial<SshHost> = {}): SshHost {
  return {
    host: sshd.host,
    port: sshd.port,
    username: sshd.username,
    hostKeyFingerprint: sshd.hostKeyFingerprint,
    ...overrides,
  };
}

/** Whether a process whose whole command line is `command` runs on this machine (the test sshd's host). */
function running(command: string): boolean {
  try {
    execFileSync('pgrep', ['-fx', command], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Waits (polling, up to 20 s) until no process runs `command`; returns whether one still does. */
async function stillRunning(command: string): Promise<boolean> {
  for (let i = 0; i < 100 && running(command); i++) await sleep(200);
  return running(command);
}

describe('ssh client against a real OpenSSH server (Debian sshd on a loopback port)', () => {
  let sshd: TestSshd;
  let session: SshSession;
  /** What afterAll closes (beforeAll may fail before `session` is set). */
  const sessions: SshSession[] = [];
  /** A folder the login user made on the host (the same machine: the test looks at it directly too). */
  let folder = '';
  const files = () => folder;

  beforeAll(async () => {
    sshd = await startSshd();
    session = await openSshSession(hostOf(sshd), { privateKey: sshd.privateKey });
    sessions.push(session);
    const made = await session.exec('mktemp -d', { timeoutMs: 30_000 });
    expect(made.exitCode).toBe(0);
    folder = made.stdout.trim();
  });
  afterAll(async () => {
    for (const opened of sessions) opened.close();
    if (folder) await rm(folder, { recursive: true, force: true });
    await closeStarted(sshd);
  });

  it('connects when the pinned fingerprint is the one ssh-keygen -lf prints for the host key', async () => {
    expect(sshd.hostKeyFingerprint).toBe(fingerprintOfFile(join(sshd.dir, 'hostkey.pub')));
    expect(session.host.hostKeyFingerprint).toBe(sshd.hostKeyFingerprint);
    const whoami = await session.exec('whoami', { timeoutMs: 30_000 });
    expect(whoami).toMatchObject({ exitCode: 0, stdout: `${sshd.username}\n`, timedOut: false });
  });

  it('refuses a host whose key is not the pinned one, naming the host and both fingerprints; nothing runs', async () => {
    const marker = join(files(), 'ran-despite-mismatch');
    const pinned = 'SHA256:UBdhWHDeO66nUmSJDBfJvIiE5TAxva2TCukAu3L3Si0';
    const error = await thrown(
      openSshSession(hostOf(sshd, { hostKeyFingerprint: pinned }), { privateKey: sshd.privateKey }).then((s) =>
        s.exec(`touch ${marker}`, { timeoutMs: 30_000 }),
      ),
    );
    expect(error).toBeInstanceOf(SshHostKeyMismatch);
    expect(error.message).toBe(
      `Host key of 127.0.0.1:${sshd.port} does not match: pinned ${pinned}, the host offered ${sshd.hostKeyFingerprint}. ` +
        "Nothing was run; if the host key was rotated, update the infrastructure's hostKeyFingerprint.",
    );
    expect(existsSync(marker)).toBe(false);
    expect((await session.exec(`test -e ${marker}`, { timeoutMs: 30_000 })).exitCode).toBe(1);
  });

  it('returns exit codes 0 and 3, and streams stdout and stderr line by line, a last line without newline too', async () => {
    const lines: string[] = [];
    const result = await session.exec(
      `echo one; echo two >&2; echo three; printf 'no newline'; printf 'err end' >&2; exit 3`,
      {
        timeoutMs: 30_000,
        onLine: (stream, line) => lines.push(`${stream}: ${line}`),
      },
    );
    expect(result).toEqual({
      exitCode: 3,
      signal: null,
      stdout: 'one\nthree\nno newline',
      stderr: 'two\nerr end',
      timedOut: false,
    });
    expect(lines.filter((l) => l.startsWith('stdout'))).toEqual(['stdout: one', 'stdout: three', 'stdout: no newline']);
    expect(lines.filter((l) => l.startsWith('stderr'))).toEqual(['stderr: two', 'stderr: err end']);
    expect((await session.exec('true', { timeoutMs: 30_000 })).exitCode).toBe(0);
  });

  it('passes environment variables whose values hold quotes, dollars and newlines unchanged', async () => {
    const env = { PLAIN: '1.1.21', QUOTED: `it's "quoted" $HOME \`date\` \\n`, LINES: 'a\nb' };
    const result = await session.exec('printf "%s|%s|%s" "$PLAIN" "$QUOTED" "$LINES"', { env, timeoutMs: 30_000 });
    expect(result.stdout).toBe(`${env.PLAIN}|${env.QUOTED}|${env.LINES}`);
  });

  it('ends a running command at its timeout: timedOut, no exit code, back long before it would end, and killed', async () => {
    const lines: string[] = [];
    const started = Date.now();
    // The timeout leaves the login shell time to start the command (root's .bashrc may be slow), so a command that
    // runs is what gets killed.
    const result = await session.exec('echo started; sleep 299.7; echo finished', {
      timeoutMs: 10_000,
      onLine: (_, line) => lines.push(line),
    });
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(lines).toEqual(['started']);
    expect(result).toMatchObject({ timedOut: true, exitCode: null, stdout: 'started\n' });
    expect(await stillRunning('sleep 299.7')).toBe(false);
  });

  it('stops a command when the signal aborts, rejecting with its reason, and kills it', async () => {
    const controller = new AbortController();
    const reason = new Error('the worker is stopping');
    const error = await thrown(
      session.exec('echo started; sleep 299.8', {
        timeoutMs: 60_000,
        signal: controller.signal,
        onLine: (_, line) => line === 'started' && controller.abort(reason),
      }),
    );
    expect(error).toBe(reason);
    expect(await stillRunning('sleep 299.8')).toBe(false);
    const aborted = AbortSignal.abort(reason);
    expect(await thrown(session.exec('true', { timeoutMs: 30_000, signal: aborted }))).toBe(reason);
    expect(await thrown(session.upload(Buffer.from('x'), join(files(), 'never'), { signal: aborted }))).toBe(reason);
    expect(existsSync(join(files(), 'never'))).toBe(false);
  });

  it('uploads 5 MB byte for byte (sha256sum on the host), with its mode, leaving no .part file', async () => {
    const content = randomBytes(5 * 1024 * 1024);
    const target = join(files(), 'package.tar.gz');
    const before = session.bytesSent;
    expect(await session.upload(content, target, { mode: 0o640 })).toBe(content.length);
    expect(session.bytesSent - before).toBeGreaterThanOrEqual(content.length);
    const sum = await session.exec(`sha256sum ${target} && stat -c %a ${target}`, { timeoutMs: 30_000 });
    expect(sum.stdout).toBe(`${sha256(content)}  ${target}\n640\n`);
    expect(await readdir(files())).not.toContain('package.tar.gz.part');
    const replaced = randomBytes(1000);
    await session.upload(replaced, target);
    expect((await session.readFile(target))?.equals(replaced)).toBe(true);
  });

  it('reads a file, and null for one that does not exist', async () => {
    expect(await session.readFile(join(files(), 'missing.json'))).toBeNull();
    await session.exec(`printf '{"a":1}' > ${join(files(), 'present.json')}`, { timeoutMs: 30_000 });
    expect((await session.readFile(join(files(), 'present.json')))?.toString()).toBe('{"a":1}');
  });

  it('writes a file by renaming a complete temporary file over it (a new inode), leaving no temporary file', async () => {
    const journal = join(files(), 'journal.json');
    await session.writeFile(journal, '{"releases":[]}');
    const first = (await session.exec(`stat -c %i ${journal}`, { timeoutMs: 30_000 })).stdout;
    await session.writeFile(journal, Buffer.from('{"releases":["1.1.21"]}'));
    expect((await session.readFile(journal))?.toString()).toBe('{"releases":["1.1.21"]}');
    const second = (await session.exec(`stat -c %i ${journal}`, { timeoutMs: 30_000 })).stdout;
    expect(second).not.toBe(first);
    expect((await readdir(files())).filter((f) => f.startsWith('journal.json'))).toEqual(['journal.json']);
  });

  it('makes an HTTP GET from the host through the SSH connection and returns the status', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.host}`);
      if (req.url === '/hangs') return; // never answers
      res.statusCode = req.url?.startsWith('/health') ? 200 : 503;
      res.end('body');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      expect(await session.httpGet(`http://127.0.0.1:${port}/health?deep=1`, { timeoutMs: 10_000 })).toEqual({
        status: 200,
      });
      expect(await session.httpGet(`http://127.0.0.1:${port}/down`, { timeoutMs: 10_000 })).toEqual({ status: 503 });
      expect(seen).toEqual([`GET /health?deep=1 127.0.0.1:${port}`, `GET /down 127.0.0.1:${port}`]);
      const hangs = await thrown(session.httpGet(`http://127.0.0.1:${port}/hangs`, { timeoutMs: 500 }));
      expect(hangs.message).toBe(
        `GET http://127.0.0.1:${port}/hangs from 127.0.0.1:${sshd.port} timed out after 500 ms`,
      );
      expect(seen).toContain(`GET /hangs 127.0.0.1:${port}`);
    } finally {
      server.closeAllConnections();
      server.close();
    }
    const closed = await freePort();
    const refused = await thrown(session.httpGet(`http://127.0.0.1:${closed}/health`, { timeoutMs: 10_000 }));
    expect(refused.message).toMatch(
      new RegExp(`^GET http://127.0.0.1:${closed}/health from 127.0.0.1:${sshd.port}: .*refused`, 'i'),
    );
    const https = await thrown(session.httpGet('https://127.0.0.1/health', { timeoutMs: 10_000 }));
    expect(https.message).toMatch(/only http:\/\/ URLs/);
    expect((await thrown(session.httpGet('nowhere', { timeoutMs: 10_000 }))).message).toBe('"nowhere" is not a URL');
  });

  it('says a closed port or a silent one cannot be reached, and a refused key cannot log in, naming host:port', async () => {
    const port = await freePort();
    const refused = await thrown(openSshSession(hostOf(sshd, { port }), { privateKey: sshd.privateKey }));
    expect(refused).toBeInstanceOf(SshUnreachable);
    expect(refused.message).toBe(`cannot reach 127.0.0.1:${port}: connection refused`);
    const stranger = ed25519KeyPair().private;
    const denied = await thrown(openSshSession(hostOf(sshd), { privateKey: stranger }));
    expect(denied).toBeInstanceOf(SshUnreachable);
    expect(denied.message).toBe(
      `cannot log in to 127.0.0.1:${sshd.port} as ${sshd.username}: the host refused the private key`,
    );
    expect(denied.message).not.toContain('PRIVATE KEY');

    // A port that accepts connections but never speaks SSH.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as AddressInfo).port;
    try {
      const timedOut = await thrown(
        openSshSession(hostOf(sshd, { port: silentPort }), { privateKey: sshd.privateKey }, { readyTimeoutMs: 500 }),
      );
      expect(timedOut).toBeInstanceOf(SshUnreachable);
      expect(timedOut.message).toBe(`cannot reach 127.0.0.1:${silentPort}: timed out: no SSH handshake within 500 ms`);
    } finally {
      silent.close();
    }
  });

  it('runs two servers at once with their own host keys; after a rotation the old pin is refused', async () => {
    const second = await startSshd();
    try {
      expect(second.port).not.toBe(sshd.port);
      expect(second.hostKeyFingerprint).not.toBe(sshd.hostKeyFingerprint);
      const old = second.hostKeyFingerprint;
      const other = await openSshSession(hostOf(second), { privateKey: second.privateKey });
      expect((await other.exec('echo second', { timeoutMs: 30_000 })).stdout).toBe('second\n');
      other.close();

      const rotated = await second.rotateHostKey();
      expect(rotated).not.toBe(old);
      expect(second.hostKeyFingerprint).toBe(rotated);
      expect(rotated).toBe(fingerprintOfFile(join(second.dir, 'hostkey.pub')));
      const error = await thrown(
        openSshSession(hostOf(second, { hostKeyFingerprint: old }), { privateKey: second.privateKey }),
      );
      expect(error).toBeInstanceOf(SshHostKeyMismatch);
      expect(error.message).toContain(`pinned ${old}, the host offered ${rotated}`);
      const renewed = await openSshSession(hostOf(second), { privateKey: second.privateKey });
      expect((await renewed.exec('true', { timeoutMs: 30_000 })).exitCode).toBe(0);
      renewed.close();
    } finally {
      await second.stop();
    }
    expect(existsSync(second.dir)).toBe(false);
  });
});
