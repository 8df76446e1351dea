/**
 * Personal data stays off the bus (docs/RELIABILITY.md, "Hostile input"): the publisher REJECTS
 * a payload whose free-text fields (address, headline, public messages…) hold an e-mail address
 * or a phone number, naming the field. Rejecting rather than redacting keeps what a producer
 * sends and what consumers receive identical, and tells the producer to fix its text.
 * Detection is a heuristic tuned to avoid false alarms on the city's own text (dates, times,
 * ids, distances): e-mail `local@domain.tld`; phone numbers written with a leading `+`, `00`,
 * `0` or `(`, 8-15 digits, or North American `555-123-4567`.
 */
import type { EventProblem } from "./errors.ts";
import { formatPath } from "./issues.ts";

/** The payload fields that carry free text (every type of the catalog). */
export const FREE_TEXT_FIELDS: ReadonlySet<string> = new Set([
  "address",
  "area",
  "body",
  "description",
  "explanation",
  "headline",
  "message",
  "name",
  "notes",
  "publicMessage",
  "reason",
  "venue",
]);

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
const PHONE =
  /(?<![\w+])(?:\+|00|0|\()(?:\d[\s().-]{0,2}){7,14}\d(?!\w)|(?<!\w)\d{3}[-.\s]\d{3}[-.\s]\d{4}(?!\w)/;

/** What personal data the text holds, or undefined. */
export function personalDataIn(text: string): string | undefined {
  if (EMAIL.test(text)) return "an e-mail address";
  if (PHONE.test(text)) return "a phone number";
  return undefined;
}

/** Problems for free-text fields of a (parsed) payload that hold personal data. */
export function personalDataProblems(
  type: string,
  payload: unknown,
  index?: number,
): EventProblem[] {
  const problems: EventProblem[] = [];
  const pending: { value: unknown; path: PropertyKey[] }[] = [{ value: payload, path: [] }];
  while (pending.length > 0) {
    const { value, path } = pending.pop() ?? { value: undefined, path: [] };
    if (typeof value === "string") {
      const key = path[path.length - 1];
      const found =
        typeof key === "string" && FREE_TEXT_FIELDS.has(key) ? personalDataIn(value) : undefined;
      if (found) {
        problems.push({
          ...(index === undefined ? {} : { index }),
          eventType: type,
          path: formatPath(path),
          rule: `must not contain personal data: found ${found}; events carry no personal data (write "call the city hotline", not the number)`,
        });
      }
    } else if (typeof value === "object" && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        pending.push({ value: child, path: [...path, Array.isArray(value) ? Number(key) : key] });
      }
    }
  }
  return problems;
}
