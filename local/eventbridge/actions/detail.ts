/**
 * PutEvents' per-entry Detail check (docs/RELIABILITY.md, "Hostile input"): a JSON object, nested
 * at most MAX_DETAIL_DEPTH levels ("PutEvents will only process nested JSON up to 1100 levels
 * deep", PutEvents API reference), every number finite (JSON text such as `1e400` parses to
 * Infinity, which would turn into `null` on the way out) and every string well-formed UTF-16 (no
 * lone surrogates, which have no UTF-8 form). Walks iteratively: depth cannot exhaust the stack.
 */
import type { PutEventsResultEntry } from "../types.ts";

export const MAX_DETAIL_DEPTH = 1100;

const malformed = (reason: string): PutEventsResultEntry => ({
  ErrorCode: "MalformedDetail",
  ErrorMessage: `Detail is malformed: ${reason}`,
});

/** Nesting depth of JSON text, counted on the text itself (before any recursive parser runs). */
function depthOf(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const wellFormed = (s: string): boolean => !LONE_SURROGATE.test(s);

function badLeaf(root: unknown): string | undefined {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === "number" && !Number.isFinite(value)) {
      return "a number is outside the range of a double (e.g. 1e400)";
    }
    if (typeof value === "string" && !wellFormed(value)) {
      return "a string holds a lone UTF-16 surrogate (not valid UTF-8)";
    }
    if (typeof value === "object" && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        if (!wellFormed(key)) return "a key holds a lone UTF-16 surrogate (not valid UTF-8)";
        pending.push(child);
      }
    }
  }
  return undefined;
}

/** The parsed Detail, or the entry's failure. */
export function parseDetail(
  text: string,
): { readonly detail: Record<string, unknown> } | { readonly failure: PutEventsResultEntry } {
  if (depthOf(text) > MAX_DETAIL_DEPTH) {
    return { failure: malformed(`it nests deeper than ${MAX_DETAIL_DEPTH} levels.`) };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { failure: { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." } };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { failure: { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." } };
  }
  const bad = badLeaf(parsed);
  if (bad) return { failure: malformed(`${bad}.`) };
  return { detail: parsed as Record<string, unknown> };
}
