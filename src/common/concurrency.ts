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
  let sliceStart = performance.now();
  for (let i = 0; i < items.length; i++) {
    if (performance.now() - sliceStart >= sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
    results[i] = fn(items[i]!, i);
  }
  return results;
}
