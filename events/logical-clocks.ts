/**
 * Logical clocks. A Lamport clock gives a total order consistent with causality
 * (a → b ⇒ L(a) < L(b)); a vector clock also tells concurrent events apart.
 */
import { CityEventError } from "./errors.ts";

/** A clock was given a value it cannot hold. */
export class ClockError extends CityEventError {
  constructor(message: string) {
    super(message);
    this.name = "ClockError";
  }
}

function assertCounter(what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ClockError(`${what} must be an integer >= 0, got ${JSON.stringify(value)}`);
  }
}

/** Lamport clock: `tick()` before each send or local step; `receive(t)` on each receive. */
export class LamportClock {
  #time: number;

  constructor(initial = 0) {
    assertCounter("LamportClock initial time", initial);
    this.#time = initial;
  }

  /** The current time (0 before anything happened). */
  get time(): number {
    return this.#time;
  }

  /** A local event or a send: time + 1. Returns the new time (stamp it on the message). */
  tick(): number {
    this.#time += 1;
    return this.#time;
  }

  /** A receive of a message stamped `remote`: max(local, remote) + 1. Returns the new time. */
  receive(remote: number): number {
    assertCounter("LamportClock.receive remote time", remote);
    this.#time = Math.max(this.#time, remote) + 1;
    return this.#time;
  }
}

export type VectorOrder = "before" | "after" | "concurrent" | "equal";

/** The plain form carried in `meta.vectorClock`: node id → counter (absent = 0). */
export type VectorClockRecord = Readonly<Record<string, number>>;

/** An immutable vector clock. */
export class VectorClock {
  readonly #entries: ReadonlyMap<string, number>;

  private constructor(entries: ReadonlyMap<string, number>) {
    this.#entries = entries;
  }

  static empty(): VectorClock {
    return new VectorClock(new Map());
  }

  /** From `meta.vectorClock`; zero entries are dropped (absent means 0). */
  static from(record: VectorClockRecord | undefined): VectorClock {
    const entries = new Map<string, number>();
    for (const [node, counter] of Object.entries(record ?? {})) {
      if (node === "") throw new ClockError("VectorClock node id must be non-empty");
      assertCounter(`VectorClock entry "${node}"`, counter);
      if (counter > 0) entries.set(node, counter);
    }
    return new VectorClock(entries);
  }

  /** The counter of `node` (0 when absent). */
  get(node: string): number {
    return this.#entries.get(node) ?? 0;
  }

  /** The clock after a local event (or send) at `node`. */
  increment(node: string): VectorClock {
    if (node === "") throw new ClockError("VectorClock node id must be non-empty");
    const next = new Map(this.#entries);
    next.set(node, this.get(node) + 1);
    return new VectorClock(next);
  }

  /** Element-wise maximum (least upper bound). */
  merge(other: VectorClock): VectorClock {
    const next = new Map(this.#entries);
    for (const [node, counter] of other.#entries) {
      next.set(node, Math.max(counter, this.get(node)));
    }
    return new VectorClock(next);
  }

  /** On receive at `node` of a message stamped `remote`: merge, then increment. */
  receive(node: string, remote: VectorClock): VectorClock {
    return this.merge(remote).increment(node);
  }

  /** `before`: this happened-before other; `after`: the reverse; else equal or concurrent. */
  compare(other: VectorClock): VectorOrder {
    let less = false;
    let greater = false;
    const nodes = new Set([...this.#entries.keys(), ...other.#entries.keys()]);
    for (const node of nodes) {
      const a = this.get(node);
      const b = other.get(node);
      if (a < b) less = true;
      else if (a > b) greater = true;
    }
    if (less && greater) return "concurrent";
    if (less) return "before";
    if (greater) return "after";
    return "equal";
  }

  /** Did this happen before `other` (strictly)? */
  happenedBefore(other: VectorClock): boolean {
    return this.compare(other) === "before";
  }

  equals(other: VectorClock): boolean {
    return this.compare(other) === "equal";
  }

  /** The plain record, keys sorted (stable JSON). */
  toJSON(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const node of [...this.#entries.keys()].sort()) out[node] = this.get(node);
    return out;
  }
}
