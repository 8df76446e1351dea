/** Flag parsing and validation shared by the operator commands. */
import { parseArgs } from "node:util";
import { OpsUsageError } from "./errors.ts";

export type FlagSpec = Record<string, { type: "string" | "boolean" }>;

/** Flags every operator command accepts: where the resources are and how to reach them. */
export const TARGET_FLAGS: FlagSpec = {
  endpoint: { type: "string" },
  region: { type: "string" },
  profile: { type: "string" },
  prefix: { type: "string" },
  stack: { type: "string" },
  help: { type: "boolean" },
};

export interface Parsed {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

export function parseFlags(
  command: string,
  argv: readonly string[],
  spec: FlagSpec,
  allowPositionals = false,
): Parsed {
  try {
    const out = parseArgs({ args: [...argv], options: spec, strict: true, allowPositionals });
    return { values: out.values as Parsed["values"], positionals: out.positionals };
  } catch (error) {
    const allowed = Object.keys(spec)
      .map((k) => `--${k}`)
      .join(", ");
    const message = error instanceof Error ? error.message : String(error);
    throw new OpsUsageError(`${command}: ${message}. Allowed flags: ${allowed}`, { cause: error });
  }
}

export const str = (v: unknown): string | undefined =>
  typeof v === "string" && v.length > 0 ? v : undefined;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO-8601 instant with a zone (Z or ±hh:mm); returns epoch ms. */
export function isoInstant(flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === "string" ? value : String(value);
  const ms = ISO_INSTANT.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new OpsUsageError(
      `--${flag} must be an ISO-8601 instant like 2026-11-23T10:00:00Z, got ${JSON.stringify(value)}`,
    );
  }
  return ms;
}

export function intFlag(
  flag: string,
  value: unknown,
  rule: { min: number; max: number },
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== "string" || !Number.isInteger(n) || n < rule.min || n > rule.max) {
    throw new OpsUsageError(
      `--${flag} must be an integer from ${rule.min} to ${rule.max}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** A number > 0 (seconds, rates). */
export function positiveFlag(flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new OpsUsageError(`--${flag} must be a number > 0, got ${JSON.stringify(value)}`);
  }
  return n;
}
