/**
 * Wait on a condition with a deadline: tests never sleep for a fixed time. Shared by every
 * integration suite.
 */
export class WaitTimeoutError extends Error {
  override readonly name = "WaitTimeoutError";
}

export interface WaitOptions {
  /** Give up after this long (default 30 s). */
  readonly timeoutMs?: number;
  /** Poll this often (default 50 ms). */
  readonly intervalMs?: number;
}

/**
 * Polls `probe` until it returns a value other than `undefined`/`false` and returns that value;
 * after `timeoutMs` throws a WaitTimeoutError naming `what` and the last value or error seen.
 */
export async function waitFor<T>(
  what: string | (() => string),
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 30_000, intervalMs = 50 }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const label = typeof what === "string" ? what : what();
      throw new WaitTimeoutError(
        `Timed out after ${timeoutMs} ms waiting for ${label}; last: ${String(last)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
