// What test files start in beforeAll and stop in afterAll, and the waits between.

/** Anything a test starts that `close()` stops: a harness, an emulator, a browser, a fault stack. */
interface Closable {
  close(): Promise<unknown>;
}

/**
 * Closes, in order, what beforeAll started. Jest runs afterAll after a failed beforeAll too, when the variables a
 * test file declares as always set may still be unset: each is closed only if it was started.
 */
export async function closeStarted(...started: (Closable | undefined)[]): Promise<void> {
  for (const thing of started) await thing?.close();
}

/** Polls `probe` until it answers something truthy, which it returns; throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  { timeoutMs = 60_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
