/**
 * The CDK app's configuration knobs, read from CDK context (`cdk.json` "context", or
 * `cdk deploy -c key=value`) and validated with zod. Context given on the command line arrives
 * as strings, so numbers, booleans and lists are coerced.
 */
import { z } from "zod";
import { type ReservedConcurrency, reservedConcurrencyFromContext } from "./concurrency.ts";
import { LOG_LEVELS } from "./constructs/consumer-function.ts";
import { InfraConfigError, quote } from "./errors.ts";
import { LOG_RETENTION_DAYS } from "./stack.ts";

/** Every context key the app reads, with its default (docs/DEPLOY.md lists them too). */
export const CONTEXT_KEYS = [
  "stage",
  "stackName",
  "archiveRetentionDays",
  "agencyAccountIds",
  "removalPolicy",
  "logRetentionDays",
  "logLevel",
  "alarmEmail",
  "reservedConcurrency",
  "bundle",
] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);
const accountList = z
  .union([z.array(z.string()), z.string()])
  .transform((v) =>
    (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter((s) => s.length > 0),
  )
  .pipe(z.array(z.string().regex(/^\d{12}$/, "each account id must be 12 digits")));

const schema = z.object({
  stage: z
    .string()
    .regex(
      /^[a-z][a-z0-9-]{0,15}$/,
      "1-16 lowercase letters, digits or dashes, starting with a letter",
    )
    .default("dev"),
  stackName: z
    .string()
    .regex(
      /^[A-Za-z][A-Za-z0-9-]{0,127}$/,
      'must be a CloudFormation stack name: 1-128 letters, digits or dashes, starting with a letter (e.g. "BuzzVille-prod")',
    )
    .optional(),
  archiveRetentionDays: int(0, 36_500).default(30),
  agencyAccountIds: accountList.default([]),
  removalPolicy: z.enum(["retain", "destroy"]).optional(),
  logRetentionDays: z.coerce
    .number()
    .refine((n) => LOG_RETENTION_DAYS.includes(n), {
      message: `must be a CloudWatch Logs retention: ${LOG_RETENTION_DAYS.join(", ")}`,
    })
    .default(30),
  logLevel: z.enum(LOG_LEVELS).default("INFO"),
  alarmEmail: z.email().optional(),
  reservedConcurrency: z
    .unknown()
    .transform((value, ctx): ReservedConcurrency => {
      const parsed = reservedConcurrencyFromContext(value);
      if (typeof parsed === "string") {
        ctx.addIssue({ code: "custom", message: parsed });
        return z.NEVER;
      }
      return parsed;
    })
    .optional(),
  bundle: bool.default(true),
});

export type AppConfig = z.output<typeof schema> & {
  readonly stackName: string;
  readonly account?: string;
  readonly region?: string;
};

/** Reads `key` from a context source (e.g. `(k) => app.node.tryGetContext(k)`). */
export type ContextReader = (key: ContextKey) => unknown;

/**
 * Validates the context. Throws InfraConfigError naming the key, the rule and the given value.
 * `env` supplies CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION (set by the cdk CLI).
 */
export function readAppConfig(
  read: ContextReader,
  env: Readonly<Record<string, string | undefined>> = {},
): AppConfig {
  const raw: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    const value = read(key);
    // The CLI passes "-c alarmEmail=" as an empty string: treat it as unset.
    if (value !== undefined && value !== null && value !== "") raw[key] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? "?");
    throw new InfraConfigError(
      `context "${key}"`,
      `${issue?.message ?? "invalid"}; got ${quote(raw[key])}`,
      { cause: parsed.error },
    );
  }
  const c = parsed.data;
  const envSchema = z.object({
    CDK_DEFAULT_ACCOUNT: z
      .string()
      .regex(/^\d{12}$/, "must be a 12-digit AWS account id")
      .optional(),
    CDK_DEFAULT_REGION: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as "eu-west-1"')
      .optional(),
  });
  const e = envSchema.safeParse({
    CDK_DEFAULT_ACCOUNT: env.CDK_DEFAULT_ACCOUNT || undefined,
    CDK_DEFAULT_REGION: env.CDK_DEFAULT_REGION || undefined,
  });
  if (!e.success) {
    const issue = e.error.issues[0];
    const key = String(issue?.path[0] ?? "?");
    throw new InfraConfigError(
      `environment ${key}`,
      `${issue?.message ?? "invalid"}; got ${quote(env[key])}`,
    );
  }
  return {
    ...c,
    stackName: c.stackName ?? `BuzzVille-${c.stage}`,
    ...(e.data.CDK_DEFAULT_ACCOUNT ? { account: e.data.CDK_DEFAULT_ACCOUNT } : {}),
    ...(e.data.CDK_DEFAULT_REGION ? { region: e.data.CDK_DEFAULT_REGION } : {}),
  };
}
