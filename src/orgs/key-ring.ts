import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { decodeKey, type Config } from '../config/config.js';
import { SecretBox } from '../common/secret-box.js';

/**
 * The key that seals org credentials: SECRET_KEY, or on the embedded default a key file generated once in the data
 * folder (mode 0600). Losing the key makes stored credentials unreadable; the orgs must then be registered again.
 */
export function loadSecretBox(config: Config): SecretBox {
  if (config.SECRET_KEY) return new SecretBox(decodeKey(config.SECRET_KEY)!);
  const file = path.join(config.dataDir, 'secret.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(file, crypto.randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  }
  const key = decodeKey(fs.readFileSync(file, 'utf8').trim());
  if (!key) throw new Error(`The key file ${file} does not hold a 32-byte hex key; remove it or set SECRET_KEY.`);
  return new SecretBox(key);
}
