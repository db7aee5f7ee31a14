import { generateKeyPairSync } from 'node:crypto';
import { describe, it, expect } from '@jest/globals';
import { ed25519KeyPair } from '../../../test/helpers/ssh-keys.js';
import { AppError } from '../../common/errors.js';
import { describeSshConnection, fingerprintOf, parseSshConnection, privateKeyProblem } from './ssh-connection.js';

const FINGERPRINT = 'SHA256:UBdhWHDeO66nUmSJDBfJvIiE5TAxva2TCukAu3L3Si0';
const OTHER_FINGERPRINT = 'SHA256:J7S0h/b92IKEkyT9dFQROf/MAlFFW28X+w9+XW7j0zY';
const PASSPHRASE = 'correct horse 5c1f';
const ed25519 = ed25519KeyPair();
const encrypted = ed25519KeyPair({
  passphrase: PASSPHRASE,
  cipher: 'aes256-ctr',
  rounds: 16,
});
const pemRsa = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
}).privateKey;

function connection(overrides: Record<string, unknown> = {}) {
  return {
    hosts: [{ host: 'web-1.example.test', username: 'deploy', hostKeyFingerprint: FINGERPRINT }],
    privateKey: ed25519.private,
    ...overrides,
  };
}

/** The 400 a bad connection gets: its message, which must never repeat the key or the passphrase. */
async function refusal(input: unknown): Promise<string> {
  try {
    await parseSshConnection(input);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(400);
    const message = (error as AppError).message;
    for (const secret of [ed25519.private, encrypted.private, pemRsa, PASSPHRASE])
      expect(message).not.toContain(secret.split('\n')[1] ?? secret);
    return message;
  }
  throw new Error('the connection was accepted');
}

describe('parseSshConnection', () => {
  it('accepts hosts with a pinned fingerprint and an OpenSSH key, port 22 unless given', async () => {
    const parsed = await parseSshConnection(
      connection({
        hosts: [
          { host: 'web-1.example.test', username: 'deploy', hostKeyFingerprint: FINGERPRINT },
          { host: '10.0.0.7', port: 2222, username: 'deploy', hostKeyFingerprint: ` ${OTHER_FINGERPRINT}\n` },
        ],
      }),
    );
    expect(parsed.hosts).toEqual([
      { host: 'web-1.example.test', port: 22, username: 'deploy', hostKeyFingerprint: FINGERPRINT },
      { host: '10.0.0.7', port: 2222, username: 'deploy', hostKeyFingerprint: OTHER_FINGERPRINT },
    ]);
    expect(parsed.privateKey).toBe(ed25519.private);
    expect(parsed.passphrase).toBeUndefined();
  });

  it('accepts a PEM RSA key, and an encrypted key with its passphrase', async () => {
    expect((await parseSshConnection(connection({ privateKey: pemRsa }))).privateKey).toBe(pemRsa);
    const withPassphrase = await parseSshConnection(
      connection({ privateKey: encrypted.private, passphrase: PASSPHRASE }),
    );
    expect(withPassphrase.passphrase).toBe(PASSPHRASE);
  });

  it('refuses an empty host list, naming the field', async () => {
    expect(await refusal(connection({ hosts: [] }))).toMatch(/^Invalid connection: hosts: must list at least one host/);
    expect(await refusal(connection({ hosts: undefined }))).toMatch(/hosts: is required/);
  });

  it('refuses more than 50 hosts and the same host:port twice', async () => {
    const hosts = Array.from({ length: 51 }, (_, i) => ({
      host: `10.0.0.${i}`,
      username: 'deploy',
      hostKeyFingerprint: FINGERPRINT,
    }));
    expect(await refusal(connection({ hosts }))).toMatch(/hosts: must list at most 50 hosts/);
    const twice = [
      { host: 'Web-1', username: 'a', hostKeyFingerprint: FINGERPRINT },
      { host: 'web-1', port: 22, username: 'b', hostKeyFingerprint: FINGERPRINT },
    ];
    expect(await refusal(connection({ hosts: twice }))).toMatch(/hosts\.1: lists web-1:22 twice/);
    const ports = [twice[0], { ...twice[1], port: 2222 }];
    expect((await parseSshConnection(connection({ hosts: ports }))).hosts).toHaveLength(2);
  });

  it('refuses a fingerprint not in SHA256 form (an MD5 one, a truncated one), naming the host', async () => {
    const md5 = '16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48';
    for (const hostKeyFingerprint of [
      md5,
      `MD5:${md5}`,
      FINGERPRINT.slice(0, -1),
      FINGERPRINT.replace('SHA256', 'sha256'),
    ])
      expect(await refusal(connection({ hosts: [{ host: 'web-1', username: 'deploy', hostKeyFingerprint }] }))).toMatch(
        /hosts\.0\.hostKeyFingerprint: must be a SHA256 fingerprint as `ssh-keygen -lf/,
      );
  });

  it('refuses a bad host, port or user name', async () => {
    const host = (fields: Record<string, unknown>) =>
      refusal(
        connection({ hosts: [{ host: 'web-1', username: 'deploy', hostKeyFingerprint: FINGERPRINT, ...fields }] }),
      );
    expect(await host({ host: '-oProxyCommand=x' })).toMatch(/hosts\.0\.host: must be a host name or an IP address/);
    expect(await host({ host: 'web 1' })).toMatch(/hosts\.0\.host:/);
    expect(await host({ port: 0 })).toMatch(/hosts\.0\.port:/);
    expect(await host({ port: '22' })).toMatch(/hosts\.0\.port:/);
    expect(await host({ username: 'de ploy' })).toMatch(/hosts\.0\.username: must be a user name/);
    expect(await host({ password: 'x' })).toMatch(/hosts\.0: unknown field\(s\) password/);
  });

  it('refuses a key that does not parse without repeating it', async () => {
    const garbled = ed25519.private.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!');
    expect(await refusal(connection({ privateKey: garbled }))).toBe(
      'Invalid connection: privateKey: cannot be read as an OpenSSH or PEM private key.',
    );
    expect(await refusal(connection({ privateKey: 'not a key at all' }))).toMatch(/privateKey: cannot be read/);
    expect(await refusal(connection({ privateKey: '' }))).toMatch(/privateKey: is required/);
  });

  it('refuses a public key, an encrypted key without its passphrase and a wrong passphrase', async () => {
    expect(await refusal(connection({ privateKey: ed25519.public }))).toMatch(/privateKey: is a public key/);
    expect(await refusal(connection({ privateKey: encrypted.private }))).toMatch(
      /privateKey: the key is encrypted; give its passphrase in "passphrase"/,
    );
    expect(await refusal(connection({ privateKey: encrypted.private, passphrase: 'wrong one' }))).toMatch(
      /passphrase: does not decrypt the private key/,
    );
    expect(await refusal(connection({ passphrase: '' }))).toMatch(/passphrase: must not be empty/);
  });

  it('refuses something that is not an object, and unknown fields', async () => {
    expect(await refusal('web-1')).toMatch(
      /expected \{hosts: \[\{host, port\?, username, hostKeyFingerprint\}\], privateKey/,
    );
    expect(await refusal([])).toMatch(/expected/);
    expect(await refusal(connection({ password: 'x' }))).toMatch(/unknown field\(s\) password/);
  });
});

describe('privateKeyProblem', () => {
  it('is null for a usable key and a sentence otherwise', async () => {
    expect(await privateKeyProblem(ed25519.private, undefined)).toBeNull();
    expect(await privateKeyProblem(encrypted.private, PASSPHRASE)).toBeNull();
    expect(await privateKeyProblem(encrypted.private, 'nope')).toMatch(/^passphrase: /);
  });
});

describe('describeSshConnection', () => {
  it('shows the hosts and their fingerprints, never the key or passphrase', async () => {
    const parsed = await parseSshConnection(connection({ privateKey: encrypted.private, passphrase: PASSPHRASE }));
    const view = describeSshConnection(parsed);
    expect(view).toEqual({
      type: 'ssh',
      hosts: [{ host: 'web-1.example.test', port: 22, username: 'deploy', hostKeyFingerprint: FINGERPRINT }],
    });
    expect(JSON.stringify(view)).not.toContain(PASSPHRASE);
    expect(JSON.stringify(view)).not.toContain('PRIVATE KEY');
  });
});

describe('fingerprintOf', () => {
  it('is what ssh-keygen -lf prints for the key blob of a .pub line', async () => {
    // `ssh-keygen -lf vec.pub` printed: 256 SHA256:UBdhWHDeO66nUmSJDBfJvIiE5TAxva2TCukAu3L3Si0 vec (ED25519)
    const blob = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIK7iq/SXx7phUjF/kCFeCGDtzg2PyeaKE7n+ebHH+zE+', 'base64');
    expect(fingerprintOf(blob)).toBe(FINGERPRINT);
    expect(fingerprintOf(Buffer.from('other'))).not.toBe(FINGERPRINT);
    expect(fingerprintOf(blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});
