/**
 * Time for the simulator, injected: the runner paces on a `PacingClock` (the wall `Clock` of
 * functions/shared/clock.ts, plus a `sleep`). `realTimePacing` is real time; `VirtualClock` only
 * moves when slept on or advanced, so tests and seeded replays see the same timestamps on every run.
 */
import { type Clock, systemClock } from "../functions/shared/clock.ts";

export interface PacingClock extends Clock {
  /** Resolves after `ms` milliseconds of this clock's time (or earlier if `signal` aborts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realTimePacing: PacingClock = {
  now: systemClock.now,
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || signal?.aborted) {
        resolve();
        return;
      }
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    }),
};

/** A clock that jumps forward when slept on: no real waiting. */
export class VirtualClock implements PacingClock {
  private current: number;

  constructor(start: number | Date = Date.UTC(2026, 5, 1, 6, 0, 0)) {
    this.current = typeof start === "number" ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    if (ms > 0) this.current += ms;
  }

  async sleep(ms: number): Promise<void> {
    this.advance(ms);
  }
}

/** ISO UTC string of an epoch-milliseconds instant. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
