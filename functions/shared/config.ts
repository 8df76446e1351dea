/**
 * Environment configuration, validated with zod at first use (never at import time, so the
 * modules bundle and load without AWS). A missing or malformed variable raises a ConfigError
 * naming the variable, the rule and what is allowed.
 */
import { z } from "zod";
import { ConfigError } from "./errors.ts";

export type Env = Readonly<Record<string, string | undefined>>;

/** Returns a memoised loader: the schema is checked against `env()` the first time it is called. */
export function lazyConfig<T>(
  schema: z.ZodType<T>,
  env: () => Env = () => process.env,
): { (): T; reset(): void } {
  let cached: T | undefined;
  const load = (): T => {
    if (cached !== undefined) return cached;
    const result = schema.safeParse(env());
    if (!result.success) {
      const problems = result.error.issues
        .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
        .join("; ");
      throw new ConfigError(
        `Invalid function configuration from environment variables: ${problems}`,
        {
          cause: result.error,
        },
      );
    }
    cached = result.data;
    return cached;
  };
  return Object.assign(load, {
    reset: () => {
      cached = undefined;
    },
  });
}

/** A non-empty environment variable (a resource name or ARN). */
export const resourceName = z.string().trim().min(1, "must be a non-empty resource name");

/** An optional positive integer from an environment variable, with a default. */
export const positiveInt = (fallback: number) =>
  z.coerce.number().int("must be an integer").positive("must be > 0").default(fallback);

/** Standard AWS / Powertools variables the kit reads (defaults for local runs and tests). */
export const platformConfig = lazyConfig(
  z.object({
    AWS_REGION: z
      .string()
      .regex(/^[a-z0-9-]{2,32}$/, "must be a region name such as eu-west-1")
      .default("us-east-1"),
    POWERTOOLS_METRICS_NAMESPACE: z.string().trim().min(1).max(255).default("BuzzVille"),
  }),
);

const traceHeaderSchema = z.string().trim().min(1).max(2_000).optional();

/**
 * The X-Ray trace header of the CURRENT invocation (`_X_AMZN_TRACE_ID`). Lambda sets it anew for
 * every invocation, so it is validated at each read rather than memoised; a malformed value is
 * ignored (the event simply carries no trace header).
 */
export function currentTraceHeader(env: () => Env = () => process.env): string | undefined {
  const parsed = traceHeaderSchema.safeParse(env()._X_AMZN_TRACE_ID);
  return parsed.success ? parsed.data : undefined;
}
