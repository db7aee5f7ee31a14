/**
 * The error `fn` throws, for tests that check several things about one error; fails the test when `fn` returns.
 * (One property or the class alone reads better as `expect(fn).toThrow(…)`.)
 */
export function thrownBy(fn: () => unknown): any {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error(`expected a throw, but it returned`);
}

/** The reason `promise` rejects with; fails the test when it fulfils. */
export async function rejectionOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error(`expected a rejection, but it fulfilled`);
}
