/** Wait on a condition with a deadline (tests never sleep for a fixed time). */
export class WaitTimeoutError extends Error {
  override readonly name = "WaitTimeoutError";
}

export async function waitFor(
  what: string | (() => string),
  probe: () => Promise<boolean> | boolean,
  { timeoutMs = 20_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new WaitTimeoutError(
        `Timed out after ${timeoutMs} ms waiting for ${typeof what === "string" ? what : what()}; last error: ${String(last)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
