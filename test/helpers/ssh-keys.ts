// ssh2's generateKeyPairSync('ed25519') writes a malformed OpenSSH key about once in 270 (a public key whose leading
// zero bytes were dropped: 30 or 31 bytes instead of 32), which ssh2's own parseKey then refuses. ssh-keygen never
// writes such keys; tests that need an ed25519 key pair take one that parses.
import ssh2 from 'ssh2';

export function ed25519KeyPair(options?: { passphrase: string; cipher: string; rounds: number }): {
  private: string;
  public: string;
} {
  for (;;) {
    const pair = options
      ? ssh2.utils.generateKeyPairSync('ed25519', options)
      : ssh2.utils.generateKeyPairSync('ed25519');
    if (!(ssh2.utils.parseKey(pair.private, options?.passphrase) instanceof Error)) return pair;
  }
}
