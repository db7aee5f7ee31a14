import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './processes.js';

const SSHD = '/usr/sbin/sshd';
const SFTP_SERVER = '/usr/lib/openssh/sftp-server';

/** A real Debian OpenSSH server on a loopback port, with a throw-away host key and user key (platform-apis.md §7.2). */
export interface TestSshd {
  host: '127.0.0.1';
  port: number;
  /** The user the server logs in (the one running the tests: root in CI). */
  username: string;
  /** The host key's fingerprint as `ssh-keygen -lf` prints it: `SHA256:…`. */
  hostKeyFingerprint: string;
  /** The user's private key, OpenSSH format, unencrypted. */
  privateKey: string;
  /** The server's own temporary folder (keys, config): tests may write below it. */
  dir: string;
  /** Replaces the host key (a new ed25519 key) and restarts on the same port; returns the new fingerprint. */
  rotateHostKey(): Promise<string>;
  /** Stops sshd and removes its folder. */
  stop(): Promise<void>;
  /** The same as stop(), for closeStarted(). */
  close(): Promise<void>;
}

/** Whether Debian's OpenSSH server is installed. */
export function sshdAvailable(): boolean {
  return existsSync(SSHD);
}

/**
 * Starts `/usr/sbin/sshd -D -e` on a free loopback port (or `port`) as the current user, in a temporary folder of its
 * own, and resolves once it listens. Fails with a sentence saying what to install when sshd is missing: SSH tests
 * never skip.
 */
export async function startSshd(options: { port?: number } = {}): Promise<TestSshd> {
  if (!sshdAvailable())
    throw new Error(
      `The SSH tests need a real OpenSSH server and ${SSHD} is missing: apt-get install openssh-server (.ci/run does).`,
    );
  const dir = await mkdtemp(join(tmpdir(), 'backtrack-sshd-'));
  const username = userInfo().username;
  // Debian's sshd, started as root, needs its privilege separation folder; /run is a tmpfs in containers.
  if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  keygen(join(dir, 'userkey'));
  await writeFile(join(dir, 'authorized_keys'), await readFile(join(dir, 'userkey.pub')), { mode: 0o600 });
  const privateKey = await readFile(join(dir, 'userkey'), 'utf8');
  const port = options.port ?? (await freePort());
  const config = join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'hostkey')}`,
      'PidFile none',
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      'AllowTcpForwarding yes',
      'MaxSessions 64',
      'MaxStartups 64',
      `Subsystem sftp ${SFTP_SERVER}`,
      '',
    ].join('\n'),
  );

  let child: ChildProcess | null = null;
  const start = async (): Promise<string> => {
    const hostKey = join(dir, 'hostkey');
    await rm(hostKey, { force: true });
    await rm(`${hostKey}.pub`, { force: true });
    keygen(hostKey);
    child = await listen(config, port);
    return fingerprintOfFile(`${hostKey}.pub`);
  };
  const halt = async (): Promise<void> => {
    const running = child;
    child = null;
    if (running) await stopProcess(running);
  };

  const sshd: TestSshd = {
    host: '127.0.0.1',
    port,
    username,
    hostKeyFingerprint: '',
    privateKey,
    dir,
    async rotateHostKey() {
      await halt();
      sshd.hostKeyFingerprint = await start();
      return sshd.hostKeyFingerprint;
    },
    async stop() {
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
    close: () => sshd.stop(),
  };
  try {
    sshd.hostKeyFingerprint = await start();
  } catch (error) {
    await sshd.stop();
    throw error;
  }
  return sshd;
}

/** A new unencrypted ed25519 key pair at `path` and `path.pub`. */
function keygen(path: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'backtrack-test', '-f', path], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** The fingerprint `ssh-keygen -lf` prints for a public key file (its second field). */
export function fingerprintOfFile(publicKeyFile: string): string {
  const line = execFileSync('ssh-keygen', ['-lf', publicKeyFile], { encoding: 'utf8' });
  const fingerprint = line.split(' ')[1];
  if (!fingerprint?.startsWith('SHA256:')) throw new Error(`ssh-keygen -lf printed no fingerprint: ${line}`);
  return fingerprint;
}

/** Runs sshd in the foreground (logging to stderr) and resolves once it says it listens; rejects if it exits first. */
function listen(config: string, port: number): Promise<ChildProcess> {
  const child = spawn(SSHD, ['-D', '-e', '-f', config, '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  let listening = false;
  return new Promise((resolve, reject) => {
    // Read stderr to the end (a full pipe would block sshd), keeping it only until sshd listens.
    child.stderr.on('data', (chunk: Buffer) => {
      if (listening) return;
      log += chunk.toString();
      listening = log.includes(`Server listening on 127.0.0.1 port ${port}`);
      if (listening) resolve(child);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      reject(new Error(`sshd exited (${signal ?? `code ${code}`}) before it listened on port ${port}:\n${log}`)),
    );
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
