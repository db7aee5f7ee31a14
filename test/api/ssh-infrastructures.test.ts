import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { InfrastructuresService } from '../../src/platform/infrastructures/infrastructures.service.js';
import { openSshSession } from '../../src/platform/ssh/ssh-client.js';
import type { SshConnection } from '../../src/platform/ssh/ssh-connection.js';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { createToken } from '../helpers/scoped-access.js';
import { sshKeyPair } from '../helpers/ssh-keys.js';
import { startSshd, type TestSshd } from '../helpers/sshd.js';

const WEB_1 = 'SHA256:UBdhWHDeO66nUmSJDBfJvIiE5TAxva2TCukAu3L3Si0';
const WEB_2 = 'SHA256:J7S0h/b92IKEkyT9dFQROf/MAlFFW28X+w9+XW7j0zY';
const PASSPHRASE = 'passphrase-e81c4d7a';
const plainKey = sshKeyPair('ed25519', { comment: 'plain-key-comment' });
const encryptedKey = sshKeyPair('ed25519', { passphrase: PASSPHRASE, cipher: 'aes256-ctr', rounds: 16 });
const rotatedKey = sshKeyPair('ecdsa', { bits: 256 });

/** The base64 lines of a private key: none may appear in a response or a log. */
function keyLines(privateKey: string): string[] {
  return privateKey.split('\n').filter((line) => line.length >= 20 && !line.startsWith('-----'));
}

function ssh(name: string, environment: string, connection: unknown) {
  return { body: { name, environment, kind: 'ssh', connection } };
}

/** Two hosts with the encrypted key and its passphrase, or another key (and no passphrase unless given). */
function twoHosts(
  key: { privateKey: string; passphrase?: string } = { privateKey: encryptedKey.private, passphrase: PASSPHRASE },
) {
  const { privateKey, passphrase } = key;
  return {
    hosts: [
      { host: 'web-1.example.test', username: 'deploy', hostKeyFingerprint: WEB_1 },
      { host: '10.0.0.12', port: 2222, username: 'deploy', hostKeyFingerprint: WEB_2 },
    ],
    privateKey,
    ...(passphrase === undefined ? {} : { passphrase }),
  };
}

describe('SSH infrastructures: hosts with pinned host keys and a sealed private key', () => {
  let h: Harness;
  let sshd: TestSshd;
  const logged: string[] = [];
  const writes = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  const answered: unknown[] = [];
  const api: Harness['api'] = async (method, route, options) => {
    const res = await h.api(method, route, options);
    answered.push(res.body);
    return res;
  };

  beforeAll(async () => {
    const capture =
      (original: typeof process.stdout.write) =>
      (chunk: unknown, ...rest: unknown[]): boolean => {
        logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
        return (original as (chunk: unknown, ...rest: unknown[]) => boolean)(chunk, ...rest);
      };
    process.stdout.write = capture(writes.out);
    process.stderr.write = capture(writes.err);
    [h, sshd] = await Promise.all([startHarness({ LOG_LEVEL: 'debug' }), startSshd()]);
  });
  afterAll(async () => {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    await closeStarted(h, sshd);
  });

  it('registers SSH hosts, showing each host with its fingerprint (port 22 unless given) and not the key', async () => {
    const created = await api('POST', '/api/infrastructures', ssh('Web servers', 'qa', twoHosts()));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Web servers',
      environment: 'qa',
      kind: 'ssh',
      orgId: null,
      connection: {
        type: 'ssh',
        hosts: [
          { host: 'web-1.example.test', port: 22, username: 'deploy', hostKeyFingerprint: WEB_1 },
          { host: '10.0.0.12', port: 2222, username: 'deploy', hostKeyFingerprint: WEB_2 },
        ],
      },
    });
    expect(Object.keys(created.body.connection)).toEqual(['type', 'hosts']);
    const fetched = await api('GET', `/api/infrastructures/${created.body.id}`);
    expect(fetched.body).toEqual(created.body);
    const listed = await api('GET', '/api/infrastructures');
    expect(listed.body.items.find((i: any) => i.id === created.body.id)).toEqual(created.body);
  });

  it('refuses an empty host list, a fingerprint not in SHA256 form and a key that does not parse, naming the field', async () => {
    const empty = await api('POST', '/api/infrastructures', ssh('Bad', 'qa', { ...twoHosts(), hosts: [] }));
    expect(empty.status).toBe(400);
    expect(empty.body.message).toMatch(/^Invalid connection: hosts: must list at least one host/);

    const md5 = twoHosts();
    md5.hosts[1]!.hostKeyFingerprint = 'MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48';
    const fingerprint = await api('POST', '/api/infrastructures', ssh('Bad', 'qa', md5));
    expect(fingerprint.status).toBe(400);
    expect(fingerprint.body.message).toMatch(/hosts\.1\.hostKeyFingerprint: must be a SHA256 fingerprint/);

    const garbled = plainKey.private.replace(/\n[A-Za-z0-9+/]{30}/, '\n###');
    const key = await api('POST', '/api/infrastructures', ssh('Bad', 'qa', twoHosts({ privateKey: garbled })));
    expect(key.status).toBe(400);
    expect(key.body.message).toBe('Invalid connection: privateKey: cannot be read as an OpenSSH or PEM private key.');
    for (const line of keyLines(garbled)) expect(JSON.stringify(key.body)).not.toContain(line);

    const passphrase = await api(
      'POST',
      '/api/infrastructures',
      ssh('Bad', 'qa', twoHosts({ privateKey: encryptedKey.private, passphrase: 'wrong' })),
    );
    expect(passphrase.status).toBe(400);
    expect(passphrase.body.message).toMatch(/passphrase: does not decrypt the private key/);
    const missing = await api(
      'POST',
      '/api/infrastructures',
      ssh('Bad', 'qa', twoHosts({ privateKey: encryptedKey.private })),
    );
    expect(missing.body.message).toMatch(/privateKey: the key is encrypted; give its passphrase/);

    const kubeconfig = await api('POST', '/api/infrastructures', ssh('Bad', 'qa', { kubeconfig: 'apiVersion: v1' }));
    expect(kubeconfig.status).toBe(400);
    expect(kubeconfig.body.message).toMatch(/hosts: is required/);
    expect((await api('GET', '/api/infrastructures')).body.items.map((i: any) => i.name)).not.toContain('Bad');
  });

  it('renames and rotates the connection (new hosts, new key); a connection of another kind is refused', async () => {
    const { body: created } = await api(
      'POST',
      '/api/infrastructures',
      ssh('Rotating hosts', 'qa', twoHosts({ privateKey: plainKey.private })),
    );
    const rotated = await api('PATCH', `/api/infrastructures/${created.id}`, {
      body: {
        name: 'Rotated hosts',
        connection: {
          hosts: [{ host: 'web-3.example.test', username: 'ops', hostKeyFingerprint: WEB_2 }],
          privateKey: rotatedKey.private,
        },
      },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({
      name: 'Rotated hosts',
      kind: 'ssh',
      connection: {
        type: 'ssh',
        hosts: [{ host: 'web-3.example.test', port: 22, username: 'ops', hostKeyFingerprint: WEB_2 }],
      },
    });
    const stored = (await h.backtrack.app.get(InfrastructuresService).openConnection(created.id))
      .connection as SshConnection;
    expect(stored.privateKey).toBe(rotatedKey.private);

    const kube = await api('PATCH', `/api/infrastructures/${created.id}`, {
      body: { connection: { server: 'https://k8s.test', token: 'x' } },
    });
    expect(kube.status).toBe(400);
    expect(kube.body.message).toMatch(/^Invalid connection: .*hosts: is required/);
    const badKey = await api('PATCH', `/api/infrastructures/${created.id}`, {
      body: { connection: { ...twoHosts({ privateKey: plainKey.public }) } },
    });
    expect(badKey.status).toBe(400);
    expect(badKey.body.message).toMatch(/privateKey: is a public key/);
    expect((await api('GET', `/api/infrastructures/${created.id}`)).body).toEqual(rotated.body);

    const { body: cluster } = await api('POST', '/api/infrastructures', {
      body: {
        name: 'A cluster',
        environment: 'qa',
        kind: 'kubernetes',
        connection: { server: 'https://k.test', token: 't' },
      },
    });
    const hostsOnCluster = await api('PATCH', `/api/infrastructures/${cluster.id}`, {
      body: { connection: twoHosts() },
    });
    expect(hostsOnCluster.status).toBe(400);
    expect(hostsOnCluster.body.message).toMatch(/^Invalid connection: server: is required/);
  });

  it('lets only admins of the environment create SSH hosts', async () => {
    const deployer = await createToken(h, ['read', 'deploy', 'rollback']);
    const denied = await api('POST', '/api/infrastructures', {
      ...ssh('Denied', 'qa', twoHosts()),
      token: deployer.token,
    });
    expect(denied.status).toBe(403);
    const devAdmin = await createToken(h, ['admin'], ['dev']);
    const outside = await api('POST', '/api/infrastructures', {
      ...ssh('Outside', 'qa', twoHosts()),
      token: devAdmin.token,
    });
    expect(outside.status).toBe(403);
  });

  it('hands the stage engine the unsealed connection, which opens a session on a real sshd', async () => {
    const connection = {
      hosts: [
        { host: sshd.host, port: sshd.port, username: sshd.username, hostKeyFingerprint: sshd.hostKeyFingerprint },
      ],
      privateKey: sshd.privateKey,
    };
    const { body: created } = await api('POST', '/api/infrastructures', ssh('Test sshd', 'qa', connection));
    const target = await h.backtrack.app.get(InfrastructuresService).openConnection(created.id);
    expect(target).toMatchObject({ id: created.id, kind: 'ssh', environment: 'qa' });
    const opened = target.connection as SshConnection;
    expect(opened).toEqual(connection);
    const session = await openSshSession(opened.hosts[0]!, opened);
    try {
      expect((await session.exec('echo reached', { timeoutMs: 30_000 })).stdout).toBe('reached\n');
    } finally {
      session.close();
    }
  });

  it('never returns nor logs a private key or passphrase, and keeps them sealed in the database', async () => {
    expect(answered.length).toBeGreaterThan(15);
    expect(logged.join('')).toContain('/api/infrastructures');
    const responses = JSON.stringify(answered);
    const logs = logged.join('');
    const keys = [plainKey.private, encryptedKey.private, rotatedKey.private, sshd.privateKey];
    for (const secret of [PASSPHRASE, 'PRIVATE KEY', ...keys.flatMap(keyLines)]) {
      expect(responses).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    // Every connection shown is {type, hosts}.
    const shown = answered.flatMap((body: any) => [
      body?.connection,
      ...(body?.items ?? []).map((i: any) => i.connection),
    ]);
    const sshViews = shown.filter((c: any) => c?.type === 'ssh');
    expect(sshViews.length).toBeGreaterThan(5);
    for (const view of sshViews) expect(Object.keys(view)).toEqual(['type', 'hosts']);
    const rows: { connection_ciphertext: string }[] = await h.backtrack.dataSource.query(
      `SELECT connection_ciphertext FROM infrastructures WHERE kind = 'ssh'`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const row of rows) {
      expect(row.connection_ciphertext).toMatch(/^v1\./);
      expect(row.connection_ciphertext).not.toContain('PRIVATE KEY');
      expect(row.connection_ciphertext).not.toContain('web-1.example.test');
    }
  });
});
