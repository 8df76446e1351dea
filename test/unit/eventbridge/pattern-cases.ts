/**
 * Pattern semantics, as a table, written from the AWS "Event patterns" and "Content
 * filtering" documentation (and event-ruler's reason texts for invalid patterns).
 * `detail` cases wrap the value into a full envelope; `event` cases give the envelope.
 */

export interface MatchCase {
  readonly name: string;
  readonly pattern: unknown;
  readonly detail?: Record<string, unknown>;
  readonly event?: Record<string, unknown>;
  readonly match: boolean;
}

/** A case given as JSON text: `detail` is spliced into a full envelope's text. */
export interface TextCase {
  readonly name: string;
  readonly pattern: string;
  readonly detail: string;
  readonly match: boolean;
}

export interface InvalidCase {
  readonly name: string;
  readonly pattern: unknown;
  readonly reason: string;
}

import { ANYTHING_BUT_CASES } from "./cases-anything-but.ts";
import { OPERATOR_CASES } from "./cases-operators.ts";
import { OR_OVERRIDE_CASES } from "./cases-or-override.ts";
import { STRING_CASES } from "./cases-strings.ts";
import { VALUE_CASES } from "./cases-values.ts";

export { INVALID_CASES } from "./cases-invalid.ts";
export { NUMBER_TEXT_CASES } from "./cases-values.ts";

export const MATCH_CASES: MatchCase[] = [
  ...VALUE_CASES,
  ...STRING_CASES,
  ...ANYTHING_BUT_CASES,
  ...OPERATOR_CASES,
  ...OR_OVERRIDE_CASES,
];
