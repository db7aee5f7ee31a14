// TEMPORARY STUB of the contract's types (the ssh helper's file replaces it at merge)
export interface SshHost {
  host: string;
  port: number;
  username: string;
  hostKeyFingerprint: string;
}
export interface SshSession {
  readonly host: SshHost;
  exec(
    command: string,
    options: {
      env?: Record<string, string>;
      timeoutMs: number;
      onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
      signal?: AbortSignal;
    },
  ): Promise<{ exitCode: number | null; signal: string | null; stdout: string; stderr: string; timedOut: boolean }>;
  upload(content: Buffer, remotePath: string, options?: { mode?: number; signal?: AbortSignal }): Promise<number>;
  readFile(remotePath: string): Promise<Buffer | null>;
  writeFile(remotePath: string, content: Buffer | string): Promise<void>;
  httpGet(url: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<{ status: number }>;
  readonly bytesSent: number;
  close(): void;
}
export class SshHostKeyMismatch extends Error {}
export class SshUnreachable extends Error {}
export declare function openSshSession(
  host: SshHost,
  key: { privateKey: string; passphrase?: string },
  options?: { readyTimeoutMs?: number; signal?: AbortSignal },
): Promise<SshSession>;
