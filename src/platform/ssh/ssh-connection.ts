import { createHash } from 'node:crypto';
import type { ParsedKey } from 'ssh2';
import { z } from 'zod';
import { BadRequestError } from '../../common/errors.js';
import { parseInput } from '../../common/validation.js';
import { ssh2Module } from './ssh2-module.js';

/** One SSH host of an infrastructure, with its host key pinned. */
export interface SshHost {
  host: string;
  /** 22 unless given. */
  port: number;
  username: string;
  /** The host key's fingerprint as `ssh-keygen -lf` prints it: `SHA256:` and 43 base64 characters. */
  hostKeyFingerprint: string;
}

/** How Backtrack reaches an `ssh` infrastructure: its hosts and one private key (sealed; never returned or logged). */
export interface SshConnection {
  hosts: SshHost[];
  /** OpenSSH or PEM private key text. */
  privateKey: string;
  passphrase?: string;
}

/** What the API shows of an SSH connection: the hosts and their pinned fingerprints, never the key. */
export interface SshConnectionView {
  type: 'ssh';
  hosts: { host: string; port: number; username: string; hostKeyFingerprint: string }[];
}

export const MAX_SSH_HOSTS = 50;

const SshHostInput = z.strictObject({
  host: z
    .string()
    .trim()
    .regex(/^(?!-)[A-Za-z0-9._:-]{1,253}$/, 'must be a host name or an IP address'),
  port: z.number().int().min(1).max(65535).default(22),
  username: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,63}$/, "must be a user name (letters, digits, '.', '_', '-')"),
  hostKeyFingerprint: z
    .string()
    .trim()
    .regex(
      /^SHA256:[A-Za-z0-9+/]{43}$/,
      'must be a SHA256 fingerprint as `ssh-keygen -lf <host key>.pub` prints it ("SHA256:" and 43 characters)',
    ),
});

const SshConnectionInput = z
  .strictObject({
    hosts: z
      .array(SshHostInput)
      .min(1, 'must list at least one host {host, port?, username, hostKeyFingerprint}')
      .max(MAX_SSH_HOSTS, `must list at most ${MAX_SSH_HOSTS} hosts`),
    privateKey: z.string().min(1, 'is required'),
    passphrase: z.string().min(1, 'must not be empty (leave it out for a key without one)').optional(),
  })
  .superRefine((connection, ctx) => {
    const seen = new Set<string>();
    connection.hosts.forEach((host, index) => {
      const address = `${host.host.toLowerCase()}:${host.port}`;
      if (seen.has(address))
        ctx.addIssue({ code: 'custom', path: ['hosts', index], message: `lists ${address} twice` });
      seen.add(address);
    });
  });

/**
 * An SSH connection from a request: `{hosts: [{host, port?, username, hostKeyFingerprint}], privateKey, passphrase?}`.
 * Anything else is a 400 naming the field. The private key must parse (decrypted with the passphrase when it is
 * encrypted); the message never repeats the key or the passphrase.
 */
export async function parseSshConnection(input: unknown): Promise<SshConnection> {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw new BadRequestError(
      'Invalid connection: expected {hosts: [{host, port?, username, hostKeyFingerprint}], privateKey, passphrase?}.',
    );
  const connection = parseInput(SshConnectionInput, input, 'connection');
  const problem = await privateKeyProblem(connection.privateKey, connection.passphrase);
  if (problem) throw new BadRequestError(`Invalid connection: ${problem}.`);
  return connection;
}

/**
 * Why a private key cannot be used, as `field: sentence`, or null when it parses. ssh2's own messages are not passed
 * on: the sentence is chosen here, so it can never quote the key.
 */
export async function privateKeyProblem(privateKey: string, passphrase: string | undefined): Promise<string | null> {
  const parsed = (await ssh2Module.load()).utils.parseKey(privateKey, passphrase);
  if (parsed instanceof Error) {
    if (/no passphrase given/i.test(parsed.message))
      return 'privateKey: the key is encrypted; give its passphrase in "passphrase"';
    if (/passphrase/i.test(parsed.message)) return 'passphrase: does not decrypt the private key';
    return 'privateKey: cannot be read as an OpenSSH or PEM private key';
  }
  const key = Array.isArray(parsed) ? (parsed as ParsedKey[])[0] : parsed;
  if (!key?.isPrivateKey()) return 'privateKey: is a public key; give the private key (the file without ".pub")';
  return null;
}

/** The connection as the API shows it: the hosts with their pinned fingerprints. */
export function describeSshConnection(connection: SshConnection): SshConnectionView {
  return {
    type: 'ssh',
    hosts: connection.hosts.map(({ host, port, username, hostKeyFingerprint }) => ({
      host,
      port,
      username,
      hostKeyFingerprint,
    })),
  };
}

/** A host key's fingerprint as `ssh-keygen -lf` prints it: "SHA256:" + base64(sha256(key blob)) without "=". */
export function fingerprintOf(hostKeyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(hostKeyBlob).digest('base64').replace(/=+$/, '')}`;
}
