// ssh2's generateKeyPairSync('ed25519') writes a malformed OpenSSH key about once in 256 (a public key whose leading
// zero bytes were dropped: 30 or 31 bytes instead of 32), which ssh2's own parseKey then refuses, and so does
// ssh-keygen ("error in libcrypto"; 12 of 3,000 generated keys, checked 2026-12-04). ssh-keygen never writes such
// keys; tests that need a key pair take one that parses.
import ssh2 from 'ssh2';

type KeyOptions = { passphrase?: string; cipher?: string; rounds?: number; comment?: string; bits?: number };

/** A key pair of `type` from ssh2's generator that ssh2 parses back (with its passphrase, if it has one). */
export function sshKeyPair(type: 'ed25519' | 'ecdsa', options: KeyOptions = {}): { private: string; public: string } {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync(type as 'ed25519', options as never);
    if (!(ssh2.utils.parseKey(pair.private, options.passphrase) instanceof Error)) return pair;
  }
}

export function ed25519KeyPair(options?: KeyOptions): { private: string; public: string } {
  return sshKeyPair('ed25519', options);
}
