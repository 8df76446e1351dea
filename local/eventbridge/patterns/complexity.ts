/**
 * AWS refuses wildcard patterns that are too complex to match quickly: "Rule is too complex - try
 * using fewer wildcard characters or fewer repeating character sequences after a wildcard
 * character". event-ruler (the engine behind EventBridge) measures a field's complexity as the
 * largest number of wildcard pattern prefixes a single input value can match at once, i.e. the
 * largest set of automaton states alive together, and AWS caps it (event-ruler's
 * MachineComplexityEvaluator, evaluated with a cap of 100).
 *
 * This module computes the same measure over the wildcard operands of one field: the states are
 * the positions after the first star of each operand, explored as a subset construction over the
 * operands' own characters plus "any other character". The exploration itself is bounded
 * (MAX_EXPLORED subsets); an operand set that needs more is refused as too complex as well.
 * docs/RELIABILITY.md ("Hostile input") gives examples.
 */
import type { Wildcard } from "./wildcard.ts";

export const MAX_WILDCARD_COMPLEXITY = 100;
const MAX_EXPLORED = 500;

export const TOO_COMPLEX =
  "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character";

const STAR = -1;

/** One operand as tokens: character codes, STAR for a wildcard. */
function tokensOf(glob: Wildcard): number[] {
  const tokens: number[] = [];
  glob.segments.forEach((segment, i) => {
    if (i > 0) tokens.push(STAR);
    for (const char of segment) tokens.push(char.codePointAt(0) ?? 0);
  });
  return tokens;
}

/** Adds `p` and, through stars matching nothing, the positions after them. */
function close(tokens: readonly number[], p: number, into: Set<number>): void {
  let at = p;
  while (!into.has(at)) {
    into.add(at);
    if (tokens[at] !== STAR) return;
    at += 1;
  }
}

function step(tokens: readonly number[], states: ReadonlySet<number>, char: number): Set<number> {
  const next = new Set<number>();
  for (const p of states) {
    const token = tokens[p];
    if (token === STAR) close(tokens, p, next);
    else if (token === char) close(tokens, p + 1, next);
  }
  return next;
}

/** States (operand index × position) counted: positions past the operand's first star. */
function weight(sets: readonly Set<number>[], firstStars: readonly number[]): number {
  let total = 0;
  sets.forEach((set, i) => {
    const first = firstStars[i] ?? -1;
    if (first < 0) return;
    for (const p of set) if (p > first) total += 1;
  });
  return total;
}

const keyOf = (sets: readonly Set<number>[]) =>
  sets.map((s) => [...s].sort((a, b) => a - b).join(",")).join("|");

/**
 * The complexity of one field's wildcard operands (their largest set of states alive at once),
 * or `Infinity` when it exceeds MAX_WILDCARD_COMPLEXITY or cannot be bounded in MAX_EXPLORED steps.
 */
export function wildcardComplexity(globs: readonly Wildcard[]): number {
  const operands = globs.map(tokensOf).filter((t) => t.includes(STAR));
  if (operands.length === 0) return 0;
  const firstStars = operands.map((t) => t.indexOf(STAR));
  const alphabet = [...new Set(operands.flat().filter((t) => t !== STAR)), -2];
  const start = operands.map((t) => {
    const set = new Set<number>();
    close(t, 0, set);
    return set;
  });
  const seen = new Set([keyOf(start)]);
  const pending = [start];
  let worst = weight(start, firstStars);
  while (pending.length > 0) {
    const sets = pending.pop() ?? [];
    for (const char of alphabet) {
      const next = sets.map((set, i) => step(operands[i] ?? [], set, char));
      const key = keyOf(next);
      if (seen.has(key)) continue;
      seen.add(key);
      worst = Math.max(worst, weight(next, firstStars));
      if (worst > MAX_WILDCARD_COMPLEXITY || seen.size > MAX_EXPLORED)
        return Number.POSITIVE_INFINITY;
      pending.push(next);
    }
  }
  return worst;
}
