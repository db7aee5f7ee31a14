// TEMPORARY STUB (the ssh helper's file replaces it at merge)
import type { SshHost } from './ssh-client.js';
export interface SshConnection {
  hosts: SshHost[];
  privateKey: string;
  passphrase?: string;
}
export declare function parseSshConnection(input: unknown): SshConnection;
