/**
 * Wildcard operands: `*` matches zero or more characters, `\*` is a literal star and
 * `\\` a literal backslash. Positions in error messages are event-ruler's: the UTF-8
 * byte offset inside the quoted operand (so the first character is at pos 1).
 */
const encoder = new TextEncoder();

function pos(operand: string, index: number): number {
  return encoder.encode(operand.slice(0, index)).length + 1;
}

function escapeRegex(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Validates a wildcard operand and compiles it to an anchored RegExp. */
export function compileWildcard(operand: string): RegExp {
  let source = "";
  let index = 0;
  while (index < operand.length) {
    const char = operand[index] ?? "";
    if (char === "\\") {
      const next = operand[index + 1];
      if (next !== "*" && next !== "\\") {
        throw new Error(`Invalid escape character at pos ${pos(operand, index)}`);
      }
      source += escapeRegex(next);
      index += 2;
      continue;
    }
    if (char === "*") {
      if (operand[index + 1] === "*") {
        throw new Error(`Consecutive wildcard characters at pos ${pos(operand, index)}`);
      }
      source += "[\\s\\S]*";
    } else {
      source += escapeRegex(char);
    }
    index += 1;
  }
  return new RegExp(`^${source}$`, "u");
}
