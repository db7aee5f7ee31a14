/** An SSE comment line: clients ignore it, proxies see traffic and keep a quiet stream open. */
export const HEARTBEAT = ': heartbeat\n\n';

/**
 * Writes `HEARTBEAT` every `intervalMs` until the returned stop function is called (stopping twice is harmless).
 * A long deploy can go minutes without a log line; proxies and load balancers close streams idle for 30-60 s.
 */
export function startHeartbeat(write: (chunk: string) => void, intervalMs: number): () => void {
  const timer = setInterval(() => write(HEARTBEAT), intervalMs);
  return () => clearInterval(timer);
}
