import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './processes.js';

const SSHD = '/usr/sbin/sshd';
/**
 * Where every test host sees its own folder: each sshd runs in a mount namespace of its own with `root` bound here,
 * so two servers on one machine are two hosts with two file systems under HOSTS_MOUNT (an absolute `installDir`
 * below it differs per host, as on real machines).
 */
export const HOSTS_MOUNT = '/srv/backtrack-test-hosts';
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
  /** The folder this host sees at HOSTS_MOUNT (what the test reads to look at the host's files). */
  root: string;
  /** Replaces the host key (a new ed25519 key) and restarts on the same port; returns the new fingerprint. */
  rotateHostKey(): Promise<string>;
  /** Stops sshd and removes its folder. */
  stop(): Promise<void>;
  /** The same as stop(), for closeStarted(). */
  close(): Promise<void>;
}

/** An `ssh` infrastructure's connection to these servers (they must share one user key: `startSshd({userKey})`). */
export function sshConnectionTo(servers: TestSshd[]) {
  return {
    privateKey: servers[0]!.privateKey,
    hosts: servers.map((s) => ({
      host: s.host,
      port: s.port,
      username: s.username,
      hostKeyFingerprint: s.hostKeyFingerprint,
    })),
  };
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
export async function startSshd(options: { port?: number; userKey?: string } = {}): Promise<TestSshd> {
  if (!sshdAvailable())
    throw new Error(
      `The SSH tests need a real OpenSSH server and ${SSHD} is missing: apt-get install openssh-server (.ci/run does).`,
    );
  const dir = await mkdtemp(join(tmpdir(), 'backtrack-sshd-'));
  const username = ensureTestUser();
  // Debian's sshd, started as root, needs its privilege separation folder; /run is a tmpfs in containers.
  if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  if (process.getuid?.() !== 0)
    throw new Error('The SSH tests start each sshd in a mount namespace of its own (unshare), which needs root.');
  await mkdir(HOSTS_MOUNT, { recursive: true });
  const root = join(dir, 'host');
  await mkdir(root, { mode: 0o755 });
  execFileSync('chown', [`${username}:`, root]);
  // one user key for several hosts (an infrastructure has one key), or a new one
  if (options.userKey) {
    await writeFile(join(dir, 'userkey'), options.userKey, { mode: 0o600 });
    await writeFile(
      join(dir, 'userkey.pub'),
      execFileSync('ssh-keygen', ['-y', '-f', join(dir, 'userkey')], { encoding: 'utf8' }),
    );
  } else keygen(join(dir, 'userkey'));
  // sshd reads authorized_keys as the user: the folder and the file must be readable to it (the keys stay 0600)
  await chmod(dir, 0o755);
  await writeFile(join(dir, 'authorized_keys'), await readFile(join(dir, 'userkey.pub')), { mode: 0o644 });
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
    child = await listen(config, port, root);
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
    root,
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

/**
 * The account the test servers log in: `backtrack-ssh`, made once with /bin/sh as its shell and an empty home. Not
 * root: sshd runs a command through the user's login shell, and root's bash reads ~/.bashrc for ssh sessions (on
 * this kind of machine a pyenv init that costs a second per command); a deploy account is what real hosts use too.
 */
const TEST_USER = 'backtrack-ssh';
const TEST_HOME = '/var/lib/backtrack-ssh';
function ensureTestUser(): string {
  try {
    execFileSync('getent', ['passwd', TEST_USER], { stdio: 'ignore' });
  } catch {
    // password "*": no password login, but not "locked" ("!"), which sshd without PAM refuses even for keys
    execFileSync(
      'useradd',
      ['--home-dir', TEST_HOME, '--create-home', '--shell', '/bin/sh', '--password', '*', TEST_USER],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  }
  return TEST_USER;
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
function listen(config: string, port: number, root: string): Promise<ChildProcess> {
  // unshare execs the shell in a new mount namespace, which binds the host's folder and execs sshd (the same pid)
  const child = spawn(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      '/bin/sh',
      '-c',
      'mount --bind "$1" "$2" && exec "$3" -D -e -f "$4" -p "$5"',
      'sh',
      root,
      HOSTS_MOUNT,
      SSHD,
      config,
      String(port),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
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
