/** Every outbound call gets a time budget; the callee receives an AbortSignal to stop early. */
import { DownstreamTimeoutError } from "./errors.ts";

export async function withTimeout<T>(
  operation: string,
  timeoutMs: number,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (!(timeoutMs > 0)) {
    throw new RangeError(`Timeout for ${operation} must be > 0 ms, got ${timeoutMs}`);
  }
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Reject first: the race settles with the timeout, not with the callee's abort error.
      reject(new DownstreamTimeoutError(operation, timeoutMs));
      controller.abort();
    }, timeoutMs);
  });
  try {
    return await Promise.race([call(controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
