/**
 * Maps `items` through `fn` with at most `limit` calls in flight, keeping the order of `items` in the result. The
 * first rejection rejects the whole call (calls already started still finish, their results are dropped).
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]!, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/**
 * Maps `items` through a synchronous `fn`, giving the event loop a turn whenever a slice of work has run for
 * `sliceMs`: CPU work started beside I/O (a database statement, the thread pool) then runs while that I/O is under
 * way instead of after it, and replies are not held up for long. Keeps the order of `items`.
 */
export async function mapInSlices<T, R>(
  items: readonly T[],
  fn: (item: T, index: number) => R,
  sliceMs = 5,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  const turn = turnsEvery(sliceMs);
  for (let i = 0; i < items.length; i++) {
    await turn();
    results[i] = fn(items[i]!, i);
  }
  return results;
}

/** One turn of the event loop (`setImmediate`): what arrived meanwhile is read, what was asked for goes out. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * For a long synchronous loop: `await turn()` at each step gives the event loop a turn (`setImmediate`) once a slice
 * of work has run for `sliceMs`, and otherwise goes on at once. An answer that arrived meanwhile is read, and a
 * request already asked for goes out, instead of waiting for the whole loop.
 */
export function turnsEvery(sliceMs = 5): () => Promise<void> | void {
  let sliceStart = performance.now();
  return () => {
    if (performance.now() - sliceStart < sliceMs) return;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        sliceStart = performance.now();
        resolve();
      }),
    );
  };
}
