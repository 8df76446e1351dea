/**
 * The part of X-Ray's filter expression language the local cloud's X-Ray API understands
 * (docs/LOCAL.md "X-Ray"): `annotation.KEY = "value"` and `id("trace-id")` terms joined by
 * `OR`, which is what `buzzville trace` sends (bin/ops/xray.ts `xrayFilter`).
 */
import type { StoredSegment } from "./segment.ts";

export type FilterTerm =
  | { readonly kind: "annotation"; readonly key: string; readonly value: string }
  | { readonly kind: "id"; readonly value: string };

/** A filter the local cloud cannot evaluate; the API answers it as InvalidRequestException. */
export class FilterExpressionError extends Error {
  override readonly name = "FilterExpressionError";
}

export const SUPPORTED_FILTERS =
  'annotation.KEY = "value" and id("trace-id") terms joined by OR, e.g. annotation.eventId = "ev-1" OR id("1-5f84c7a1-…")';

const MAX_TERMS = 50;
const QUOTED = String.raw`"(?:[^"\\]|\\.)*"`;
const TERM = new RegExp(
  String.raw`\s*(?:annotation\.([A-Za-z0-9_]{1,250})\s*=\s*(${QUOTED})|id\(\s*(${QUOTED})\s*\))\s*`,
  "y",
);
const OR = /OR(?=\s)/y;

function unquote(quoted: string, at: number): string {
  try {
    const value: unknown = JSON.parse(quoted);
    if (typeof value === "string") return value;
  } catch {
    // answered below
  }
  throw new FilterExpressionError(`Bad string literal at position ${at} of the filter expression.`);
}

/** The terms of a filter expression, or FilterExpressionError naming what is supported. */
export function parseFilter(expression: string): FilterTerm[] {
  const terms: FilterTerm[] = [];
  let at = 0;
  for (;;) {
    TERM.lastIndex = at;
    const match = TERM.exec(expression);
    if (!match) {
      throw new FilterExpressionError(
        `Unsupported filter expression at position ${at} (${JSON.stringify(expression.slice(at, at + 40))}): the local cloud supports ${SUPPORTED_FILTERS}.`,
      );
    }
    const [, key, value, id] = match;
    terms.push(
      key !== undefined && value !== undefined
        ? { kind: "annotation", key, value: unquote(value, at) }
        : { kind: "id", value: unquote(id ?? "", at) },
    );
    if (terms.length > MAX_TERMS) {
      throw new FilterExpressionError(`A filter expression has at most ${MAX_TERMS} terms.`);
    }
    at = TERM.lastIndex;
    if (at === expression.length) return terms;
    OR.lastIndex = at;
    if (!OR.test(expression)) {
      throw new FilterExpressionError(
        `Expected OR at position ${at} of the filter expression: the local cloud supports ${SUPPORTED_FILTERS}.`,
      );
    }
    at = OR.lastIndex;
  }
}

/** Whether a trace (its id and segments) satisfies any of the terms. */
export function matchesFilter(
  terms: readonly FilterTerm[],
  traceId: string,
  segments: readonly StoredSegment[],
): boolean {
  return terms.some((term) =>
    term.kind === "id"
      ? term.value === traceId
      : segments.some((s) => s.annotations?.[term.key] === term.value),
  );
}
