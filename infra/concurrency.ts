/**
 * Reserved concurrency for the functions behind critical queues (docs/ARCHITECTURE.md, "Priorities": critical queues are
 * served "with their own concurrency", so a burst elsewhere in the account never starves them).
 * By default every function that serves a critical subscription reserves the summed maximum
 * concurrency of its event sources (Emergency 20; Notification 10 critical + 2 bulk = 12); the
 * other functions share the account's unreserved pool. Accounts with a small concurrency limit
 * turn it off with the context value `reservedConcurrency=0`.
 */
import { InfraConfigError, quote } from "./errors.ts";
import type { Topology } from "./topology.ts";

/** `0` reserves nothing; a map sets functions by id (0 = unreserved) and keeps the default for the rest. */
export type ReservedConcurrency = 0 | Readonly<Record<string, number>>;

/** Highest reservation accepted per function (AWS caps it at the account limit minus 100). */
export const RESERVED_CONCURRENCY_MAX = 10_000;

const ALLOWED = `0 (reserve nothing), or reservations by function id such as "Emergency=20,Notification=12" or {"Emergency":20} (each a whole number from 0 to ${RESERVED_CONCURRENCY_MAX}; 0 = unreserved)`;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads the `reservedConcurrency` context value (`-c` passes strings). Returns the value, or an
 * error message that says what is allowed (the caller adds the key and quotes the value).
 */
export function reservedConcurrencyFromContext(value: unknown): ReservedConcurrency | string {
  if (value === 0 || (typeof value === "string" && value.trim() === "0")) return 0;
  // A bare number other than 0 names no function.
  if (typeof value === "number" || (typeof value === "string" && /^\s*\d+\s*$/.test(value))) {
    return `must be ${ALLOWED}`;
  }
  let entries: Array<[string, unknown]>;
  if (typeof value === "string" && value.trim().startsWith("{")) {
    try {
      return reservedConcurrencyFromContext(JSON.parse(value) as unknown);
    } catch {
      return `must be ${ALLOWED}; the JSON object does not parse`;
    }
  } else if (typeof value === "string") {
    entries = value
      .split(",")
      .map((pair) => pair.trim())
      .filter((pair) => pair.length > 0)
      .map((pair): [string, unknown] => {
        const eq = pair.indexOf("=");
        return eq < 0 ? [pair, undefined] : [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
      });
  } else if (isPlainObject(value)) {
    entries = Object.entries(value);
  } else {
    return `must be ${ALLOWED}`;
  }
  if (entries.length === 0) return `must be ${ALLOWED}`;
  const out: Record<string, number> = {};
  for (const [id, raw] of entries) {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(id)) {
      return `${quote(id)} is not a function id (PascalCase, e.g. "Emergency"); must be ${ALLOWED}`;
    }
    const n = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : raw;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > RESERVED_CONCURRENCY_MAX) {
      return `the reservation of ${id} must be a whole number from 0 to ${RESERVED_CONCURRENCY_MAX} (0 = unreserved), got ${quote(raw)}`;
    }
    out[id] = n;
  }
  return out;
}

/** Summed maximum concurrency of the event sources that feed function `functionId`. */
export function eventSourceConcurrency(t: Topology, functionId: string): number {
  return t.subscriptions
    .filter((s) => s.functionId === functionId)
    .reduce((sum, s) => sum + s.maxConcurrency, 0);
}

/** The default: functions serving a critical subscription reserve their event sources' total. */
export function defaultReservedConcurrency(t: Topology): Record<string, number> {
  return Object.fromEntries(
    t.functions.map((f) => {
      const critical = t.subscriptions.some(
        (s) => s.functionId === f.id && s.priority === "critical",
      );
      return [f.id, critical ? eventSourceConcurrency(t, f.id) : 0];
    }),
  );
}

/**
 * The reservation of every topology function (0 = unreserved): the default with `override`
 * applied. Throws InfraConfigError (field `<where>.<id>`) for an unknown function id, and for a
 * reservation below the function's event sources' maximum concurrency: Lambda would throttle its
 * SQS pollers, and throttled messages return to the queue as failed receives, reaching the DLQ
 * after the third.
 */
export function planReservedConcurrency(
  t: Topology,
  override: ReservedConcurrency | undefined,
  where = "reservedConcurrency",
): Record<string, number> {
  const plan = defaultReservedConcurrency(t);
  if (override === 0) return Object.fromEntries(Object.keys(plan).map((id) => [id, 0]));
  for (const [id, n] of Object.entries(override ?? {})) {
    if (!(id in plan)) {
      throw new InfraConfigError(
        `${where}.${id}`,
        `names no topology function; declared: ${Object.keys(plan).join(", ")}`,
      );
    }
    if (!Number.isInteger(n) || n < 0 || n > RESERVED_CONCURRENCY_MAX) {
      throw new InfraConfigError(
        `${where}.${id}`,
        `must be a whole number from 0 to ${RESERVED_CONCURRENCY_MAX} (0 = unreserved), got ${quote(n)}`,
      );
    }
    const needed = eventSourceConcurrency(t, id);
    if (n > 0 && n < needed) {
      const sources = t.subscriptions
        .filter((s) => s.functionId === id)
        .map((s) => `${s.id} ${s.maxConcurrency}`)
        .join(" + ");
      throw new InfraConfigError(
        `${where}.${id}`,
        `must be 0 (unreserved) or at least ${needed}, the maximum concurrency of its event sources (${sources}), else Lambda throttles its SQS pollers and throttled messages end in the DLQ; got ${n}`,
      );
    }
    plan[id] = n;
  }
  return plan;
}
