/**
 * Circuit breaker for downstream calls: closed -> open (after `failureThreshold` consecutive
 * failures) -> half-open (after `openMs`, one trial call) -> closed on success, open on failure.
 * State is shared across concurrent instances through a BreakerStore (DynamoDB on AWS) with
 * versioned conditional writes. Every call also runs under a timeout.
 */
import type { Clock } from "./clock.ts";
import { DownstreamError } from "./errors.ts";
import { withTimeout } from "./timeout.ts";

export type BreakerStatus = "closed" | "open" | "half-open";

export interface BreakerState {
  readonly status: BreakerStatus;
  readonly failures: number;
  /** When the breaker last opened, or the half-open trial started (epoch ms). */
  readonly since: number;
  /** Incremented by every write; writes are conditional on it. */
  readonly version: number;
}

/** Port: shared breaker state. `put` succeeds only if the stored version is `expectedVersion`. */
export interface BreakerStore {
  get(name: string): Promise<BreakerState | undefined>;
  put(name: string, state: BreakerState, expectedVersion: number): Promise<boolean>;
}

export class InMemoryBreakerStore implements BreakerStore {
  private readonly states = new Map<string, BreakerState>();
  async get(name: string): Promise<BreakerState | undefined> {
    return this.states.get(name);
  }
  async put(name: string, state: BreakerState, expectedVersion: number): Promise<boolean> {
    if ((this.states.get(name)?.version ?? 0) !== expectedVersion) return false;
    this.states.set(name, state);
    return true;
  }
}

/** Rejected without calling: the downstream is considered down. */
export class CircuitOpenError extends DownstreamError {
  readonly breaker: string;
  readonly retryAfterMs: number;
  constructor(breaker: string, status: BreakerStatus, retryAfterMs: number) {
    super(
      `Circuit "${breaker}" is ${status}: the downstream failed repeatedly, so calls are refused for about ${Math.ceil(retryAfterMs / 1000)} s more; the record is retried after its backoff`,
    );
    this.name = "CircuitOpenError";
    this.breaker = breaker;
    this.retryAfterMs = retryAfterMs;
  }
}

export interface BreakerOptions {
  readonly name: string;
  readonly store: BreakerStore;
  readonly clock: Clock;
  /** Consecutive failures that open the circuit. @default 5 */
  readonly failureThreshold?: number;
  /** How long the circuit stays open before a trial call. @default 30000 */
  readonly openMs?: number;
  /** Time budget of each call. @default 3000 */
  readonly timeoutMs?: number;
}

const INITIAL: BreakerState = { status: "closed", failures: 0, since: 0, version: 0 };

export class CircuitBreaker {
  readonly name: string;
  private readonly store: BreakerStore;
  private readonly clock: Clock;
  private readonly failureThreshold: number;
  private readonly openMs: number;
  private readonly timeoutMs: number;

  constructor(options: BreakerOptions) {
    const threshold = options.failureThreshold ?? 5;
    const openMs = options.openMs ?? 30_000;
    const timeoutMs = options.timeoutMs ?? 3_000;
    if (!Number.isInteger(threshold) || threshold < 1) {
      throw new RangeError(`failureThreshold must be an integer >= 1, got ${threshold}`);
    }
    if (!(openMs > 0)) throw new RangeError(`openMs must be > 0, got ${openMs}`);
    if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${timeoutMs}`);
    this.name = options.name;
    this.store = options.store;
    this.clock = options.clock;
    this.failureThreshold = threshold;
    this.openMs = openMs;
    this.timeoutMs = timeoutMs;
  }

  async status(): Promise<BreakerStatus> {
    return ((await this.store.get(this.name)) ?? INITIAL).status;
  }

  /** Runs `call` if the circuit allows it, under the timeout, and records the outcome. */
  async call<T>(operation: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const admitted = await this.admit();
    try {
      const result = await withTimeout(operation, this.timeoutMs, call);
      await this.record(true, admitted);
      return result;
    } catch (error) {
      await this.record(false, admitted);
      throw error;
    }
  }

  /** Decides whether a call may go; a half-open trial is claimed by one caller only. */
  private async admit(): Promise<BreakerState> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const s = (await this.store.get(this.name)) ?? INITIAL;
      const now = this.clock.now();
      if (s.status === "closed") return s;
      const elapsed = now - s.since;
      if (elapsed < this.openMs)
        throw new CircuitOpenError(this.name, s.status, this.openMs - elapsed);
      // open long enough, or a half-open trial that never reported: claim a new trial
      const trial: BreakerState = {
        status: "half-open",
        failures: s.failures,
        since: now,
        version: s.version + 1,
      };
      if (await this.store.put(this.name, trial, s.version)) return trial;
    }
    throw new CircuitOpenError(this.name, "half-open", this.openMs);
  }

  private async record(success: boolean, admitted: BreakerState): Promise<void> {
    // The common case costs no read: a success admitted by a closed breaker without failures
    // changes nothing (failures another caller counts meanwhile are its own to report).
    if (success && admitted.status === "closed" && admitted.failures === 0) return;
    for (let attempt = 0; attempt < 3; attempt++) {
      const s = (await this.store.get(this.name)) ?? INITIAL;
      const next = this.transition(s, success, admitted);
      if (!next) return;
      if (await this.store.put(this.name, next, s.version)) return;
    }
  }

  private transition(
    s: BreakerState,
    success: boolean,
    admitted: BreakerState,
  ): BreakerState | undefined {
    const now = this.clock.now();
    const v = s.version + 1;
    if (success) {
      if (s.status === "closed" && s.failures === 0) return undefined;
      if (s.status === "open") return undefined; // another instance re-opened it meanwhile
      return { status: "closed", failures: 0, since: now, version: v };
    }
    if (s.status === "half-open" && admitted.status === "half-open") {
      return { status: "open", failures: s.failures + 1, since: now, version: v };
    }
    if (s.status !== "closed") return undefined;
    const failures = s.failures + 1;
    return failures >= this.failureThreshold
      ? { status: "open", failures, since: now, version: v }
      : { status: "closed", failures, since: s.since, version: v };
  }
}
