/**
 * Per-producer sequence numbers. Producers number their events 1, 2, 3…; a consumer's
 * `SequenceTracker` classifies each (producerId, sequence) it receives as the next one, a gap
 * (with the missing range), a duplicate, or a late arrival that fills an earlier gap.
 */
import { CityEventError } from "./errors.ts";

export class SequenceError extends CityEventError {
  constructor(message: string) {
    super(message);
    this.name = "SequenceError";
  }
}

function assertSequence(what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new SequenceError(`${what} must be an integer >= 1, got ${JSON.stringify(value)}`);
  }
}

/** The producer side: the next sequence number of each producer id. */
export class SequenceCounter {
  readonly #last = new Map<string, number>();

  /** Starts a producer after `last` (e.g. restored from storage); next() then returns last + 1. */
  constructor(initial?: Readonly<Record<string, number>>) {
    for (const [producerId, last] of Object.entries(initial ?? {})) {
      if (!Number.isSafeInteger(last) || last < 0) {
        throw new SequenceError(
          `SequenceCounter initial value of "${producerId}" must be an integer >= 0, got ${JSON.stringify(last)}`,
        );
      }
      this.#last.set(producerId, last);
    }
  }

  /** The next number of `producerId` (1 for its first event). */
  next(producerId: string): number {
    const n = (this.#last.get(producerId) ?? 0) + 1;
    this.#last.set(producerId, n);
    return n;
  }

  /** The last number handed out for `producerId` (0 if none). */
  last(producerId: string): number {
    return this.#last.get(producerId) ?? 0;
  }
}

/** What an incoming sequence number means for the consumer. */
export type SequenceVerdict =
  /** Exactly the expected next number. */
  | { readonly kind: "next"; readonly sequence: number }
  /** Ahead of the expected one: `missingFrom..missingTo` (inclusive) have not been seen. */
  | {
      readonly kind: "gap";
      readonly sequence: number;
      readonly missingFrom: number;
      readonly missingTo: number;
    }
  /** Already seen (a redelivery). */
  | { readonly kind: "duplicate"; readonly sequence: number }
  /** Behind the highest seen but never seen before: it fills a gap (arrived out of order). */
  | { readonly kind: "reordered-late"; readonly sequence: number };

interface ProducerState {
  /** Highest sequence seen. */
  high: number;
  /** Sequences below `high` not seen yet. */
  readonly missing: Set<number>;
}

/**
 * The consumer side. `observe` records a number and classifies it. Per producer, memory holds
 * the highest number and the still-missing numbers below it (bounded by `maxTrackedGap`: a
 * bigger jump is treated as a restart of what is tracked — the missing range is reported, but
 * its numbers are not kept).
 */
export class SequenceTracker {
  readonly #producers = new Map<string, ProducerState>();
  readonly #maxTrackedGap: number;

  constructor(options: { readonly maxTrackedGap?: number } = {}) {
    const max = options.maxTrackedGap ?? 10_000;
    if (!Number.isSafeInteger(max) || max < 0) {
      throw new SequenceError(`SequenceTracker maxTrackedGap must be an integer >= 0, got ${max}`);
    }
    this.#maxTrackedGap = max;
  }

  /** Classifies without recording. */
  classify(producerId: string, sequence: number): SequenceVerdict {
    assertSequence(`sequence of producer "${producerId}"`, sequence);
    const state = this.#producers.get(producerId);
    const high = state?.high ?? 0;
    if (sequence === high + 1) return { kind: "next", sequence };
    if (sequence > high + 1)
      return { kind: "gap", sequence, missingFrom: high + 1, missingTo: sequence - 1 };
    if (state?.missing.has(sequence)) return { kind: "reordered-late", sequence };
    return { kind: "duplicate", sequence };
  }

  /** Classifies and records. */
  observe(producerId: string, sequence: number): SequenceVerdict {
    const verdict = this.classify(producerId, sequence);
    let state = this.#producers.get(producerId);
    if (!state) {
      state = { high: 0, missing: new Set() };
      this.#producers.set(producerId, state);
    }
    switch (verdict.kind) {
      case "next":
        state.high = sequence;
        break;
      case "gap":
        if (
          verdict.missingTo - verdict.missingFrom + 1 + state.missing.size <=
          this.#maxTrackedGap
        ) {
          for (let n = verdict.missingFrom; n <= verdict.missingTo; n++) state.missing.add(n);
        }
        state.high = sequence;
        break;
      case "reordered-late":
        state.missing.delete(sequence);
        break;
      case "duplicate":
        break;
    }
    return verdict;
  }

  /** Numbers of `producerId` still missing below its highest, ascending. */
  missing(producerId: string): number[] {
    return [...(this.#producers.get(producerId)?.missing ?? [])].sort((a, b) => a - b);
  }

  /** The highest number seen from `producerId` (0 if none). */
  highest(producerId: string): number {
    return this.#producers.get(producerId)?.high ?? 0;
  }
}
