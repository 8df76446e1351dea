/**
 * Wildcard operands: `*` matches zero or more characters, `\*` is a literal star and
 * `\\` a literal backslash. Positions in error messages are event-ruler's: the UTF-8
 * byte offset inside the quoted operand (so the first character is at pos 1).
 *
 * Matching never backtracks (docs/RELIABILITY.md, "Hostile input"): the operand is split at its
 * stars into literal segments, the first anchored at the start, the last at the end, and each
 * middle one found leftmost after the previous (greedy glob matching, O(value × operand) at
 * worst, with no exponential case). Operands too complex for AWS are refused at compile time
 * (see `wildcardComplexity`).
 */
const encoder = new TextEncoder();

function pos(operand: string, index: number): number {
  return encoder.encode(operand.slice(0, index)).length + 1;
}

/** A compiled wildcard operand. */
export class Wildcard {
  /** Literal text between the stars; `segments.length - 1` stars. */
  readonly segments: readonly string[];

  constructor(segments: readonly string[]) {
    this.segments = segments;
  }

  /** Whether the whole value matches the operand. */
  test(value: string): boolean {
    const { segments } = this;
    const first = segments[0] ?? "";
    if (segments.length === 1) return value === first;
    const last = segments[segments.length - 1] ?? "";
    if (value.length < first.length + last.length) return false;
    if (!value.startsWith(first) || !value.endsWith(last)) return false;
    let from = first.length;
    const end = value.length - last.length;
    for (let i = 1; i < segments.length - 1; i++) {
      const segment = segments[i] ?? "";
      const at = value.indexOf(segment, from);
      if (at < 0 || at + segment.length > end) return false;
      from = at + segment.length;
    }
    return true;
  }
}

/** Validates a wildcard operand and compiles it (throws with event-ruler's reason). */
export function compileWildcard(operand: string): Wildcard {
  const segments: string[] = [];
  let literal = "";
  let index = 0;
  while (index < operand.length) {
    const char = operand[index] ?? "";
    if (char === "\\") {
      const next = operand[index + 1];
      if (next !== "*" && next !== "\\") {
        throw new Error(`Invalid escape character at pos ${pos(operand, index)}`);
      }
      literal += next;
      index += 2;
      continue;
    }
    if (char === "*") {
      if (operand[index + 1] === "*") {
        throw new Error(`Consecutive wildcard characters at pos ${pos(operand, index)}`);
      }
      segments.push(literal);
      literal = "";
    } else {
      literal += char;
    }
    index += 1;
  }
  segments.push(literal);
  return new Wildcard(segments);
}
