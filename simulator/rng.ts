/**
 * A small seeded pseudo-random generator (mulberry32) with the helpers the simulator needs.
 * Same seed → same sequence, on every machine: the city and every scenario draw from it, so a
 * seed replays a whole simulation. `fork(label)` derives an independent stream, so adding draws
 * in one producer does not shift the numbers another producer sees.
 */
import { seededRandom } from "../events/random.ts";
import { SimulatorArgumentError, SimulatorError } from "./errors.ts";

export { SimulatorArgumentError, SimulatorError };

/** FNV-1a hash of a string to a 32-bit unsigned integer. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Rng {
  private readonly draw: () => number;
  readonly seed: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) {
      throw new SimulatorArgumentError(`seed must be an integer, got ${String(seed)}`);
    }
    this.seed = seed >>> 0;
    this.draw = seededRandom(this.seed);
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.draw();
  }

  /** Integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Float in [min, max). */
  float(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new SimulatorError("pick() needs a non-empty array");
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** One element, chosen with the given non-negative weights. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    if (items.length === 0 || total <= 0) {
      throw new SimulatorError("weighted() needs at least one item with a positive weight");
    }
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return (items[items.length - 1] as readonly [T, number])[0];
  }

  /** A new generator whose stream depends on this seed and the label only. */
  fork(label: string): Rng {
    return new Rng((this.seed ^ hash32(label)) >>> 0);
  }

  /** A function usable as a ULID PRNG (returns [0, 1)). */
  asPrng(): () => number {
    return () => this.next();
  }
}
