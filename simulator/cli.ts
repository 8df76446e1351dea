/**
 * `buzzville simulate --scenario NAME [--rate N] [--duration S] [--seed N] [--endpoint URL] [--bus NAME]`
 *
 * `main(argv)` parses the flags (node:util parseArgs, strict), runs the scenario with a progress
 * display (a redrawn line on a TTY, a plain line every 5 s otherwise) and prints a summary.
 * Exit codes: 0 done, 1 some events failed to publish, 2 bad arguments or configuration.
 * Ctrl-C stops the run early and still prints the summary.
 */
import { parseArgs } from "node:util";
import { EventBridgeClient, type EventBridgeClientConfig } from "@aws-sdk/client-eventbridge";
import { z } from "zod";
import type { PutEventsPort } from "../events/publisher.ts";
import { withoutSdkLogging } from "../events/sdk-logging.ts";
import { RESOURCE_ENV } from "../infra/topology.ts";
import type { PacingClock } from "./clock.ts";
import { SimulatorArgumentError } from "./errors.ts";
import { type RunSummary, runScenario } from "./run.ts";
import { MAX_DURATION_SECONDS } from "./scenarios/engine.ts";
import { isScenarioName, SCENARIO_NAMES, SCENARIOS } from "./scenarios/index.ts";
import type { Progress } from "./stats.ts";

export const USAGE = `Usage: buzzville simulate --scenario NAME [options]

Plays a city scenario against an EventBridge bus (the local cloud or AWS).

  --scenario NAME   one of: ${SCENARIO_NAMES.join(", ")}
  --rate N          base events per second (default 10; crisis adds 10x info readings)
  --duration S      seconds to run (default 60)
  --seed N          integer 0..4294967295 (default 42): same seed, same city, same events
  --endpoint URL    EventBridge endpoint, e.g. http://localhost:4566 (default: AWS config / AWS_ENDPOINT_URL)
  --bus NAME        event bus name or ARN (default: $${RESOURCE_ENV.bus})
  -h, --help        this help

Scenarios:
${SCENARIO_NAMES.map((n) => `  ${n.padEnd(11)} ${SCENARIOS[n].title}`).join("\n")}
`;

export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** For tests: the EventBridge client and clock to use. */
  readonly client?: PutEventsPort;
  readonly clock?: PacingClock;
  readonly signal?: AbortSignal;
}

const defaultIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});

export interface SimulateArgs {
  readonly scenario: (typeof SCENARIO_NAMES)[number];
  readonly rate: number;
  readonly durationSeconds: number;
  readonly seed: number;
  readonly endpoint?: string;
  readonly bus: string;
}

function number(
  flag: string,
  raw: string | undefined,
  fallback: number,
  rule: z.ZodNumber,
): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === "" || !rule.safeParse(n).success) {
    throw new SimulatorArgumentError(
      `--${flag} ${JSON.stringify(raw)} is not allowed: expected ${rule.description ?? "a number"}`,
    );
  }
  return n;
}

function parseSimulateFlags(
  argv: readonly string[],
): Readonly<Record<string, string | boolean | undefined>> {
  try {
    return parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        scenario: { type: "string" },
        rate: { type: "string" },
        duration: { type: "string" },
        seed: { type: "string" },
        endpoint: { type: "string" },
        bus: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (cause) {
    const message = (cause instanceof Error ? cause.message : String(cause)).replace(/\.$/, "");
    throw new SimulatorArgumentError(
      `${message}. Allowed flags: --scenario, --rate, --duration, --seed, --endpoint, --bus, --help`,
      { cause },
    );
  }
}

/** Parses and checks the flags; throws SimulatorArgumentError naming the flag and what is allowed. */
export function parseSimulateArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): SimulateArgs | "help" {
  const v = parseSimulateFlags(argv);
  if (v.help) return "help";
  const scenario = v.scenario;
  if (scenario === undefined) {
    throw new SimulatorArgumentError(
      `--scenario is required; allowed: ${SCENARIO_NAMES.join(", ")}`,
    );
  }
  if (!isScenarioName(scenario)) {
    throw new SimulatorArgumentError(
      `--scenario ${JSON.stringify(scenario)} is unknown; allowed: ${SCENARIO_NAMES.join(", ")}`,
    );
  }
  const str = (k: string): string | undefined =>
    typeof v[k] === "string" ? (v[k] as string) : undefined;
  const rate = number(
    "rate",
    str("rate"),
    10,
    z.number().gt(0).lte(10_000).describe("a number of events per second in (0, 10000]"),
  );
  const durationSeconds = number(
    "duration",
    str("duration"),
    60,
    z
      .number()
      .gt(0)
      .lte(MAX_DURATION_SECONDS)
      .describe(`a number of seconds in (0, ${MAX_DURATION_SECONDS}]`),
  );
  const seed = number(
    "seed",
    str("seed"),
    42,
    z.number().int().min(0).max(0xffffffff).describe("an integer in 0..4294967295"),
  );
  const endpoint = str("endpoint");
  if (endpoint !== undefined && !z.url({ protocol: /^https?$/ }).safeParse(endpoint).success) {
    throw new SimulatorArgumentError(
      `--endpoint ${JSON.stringify(endpoint)} is not allowed: expected an http(s) URL such as http://localhost:4566`,
    );
  }
  const bus = str("bus") ?? env[RESOURCE_ENV.bus];
  if (bus === undefined || bus === "") {
    throw new SimulatorArgumentError(
      `no event bus: pass --bus NAME or set ${RESOURCE_ENV.bus} (the bus name or ARN of the deployment)`,
    );
  }
  return { scenario, rate, durationSeconds, seed, bus, ...(endpoint ? { endpoint } : {}) };
}

/**
 * The EventBridge client configuration: the SDK's standard one without `--endpoint`; with it, a
 * default region and (when the environment has no AWS keys or profile) dummy credentials, which
 * local clouds accept.
 */
export function clientConfigFor(
  endpoint: string | undefined,
  env: CliIo["env"],
): EventBridgeClientConfig {
  if (endpoint === undefined) return {};
  const hasKeys = env.AWS_ACCESS_KEY_ID !== undefined && env.AWS_SECRET_ACCESS_KEY !== undefined;
  return {
    endpoint,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
    ...(hasKeys || env.AWS_PROFILE
      ? {}
      : { credentials: { accessKeyId: "local", secretAccessKey: "local" } }),
  };
}

/** One line: elapsed, sent, rate, failures, top types. */
export function progressLine(p: Progress): string {
  const top = Object.entries(p.sentByType)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([t, n]) => `${t} ${n}`)
    .join(", ");
  const chaos =
    p.malformedSent + p.duplicatesSent + p.outOfOrderSent > 0
      ? ` | dup ${p.duplicatesSent} ooo ${p.outOfOrderSent} malformed ${p.malformedSent}`
      : "";
  return `[${(p.elapsedMs / 1000).toFixed(0)}s] sent ${p.sent} (${p.actualRate}/s) failures ${p.failures}${chaos}${top ? ` | ${top}` : ""}`;
}

export function summaryText(s: RunSummary): string {
  const lines = [
    `Scenario ${s.scenario} (seed ${s.seed}) ${s.aborted ? "stopped early" : "finished"} after ${(s.elapsedMs / 1000).toFixed(1)} s`,
    `  sent ${s.sent} entries at ${s.actualRate}/s (requested base rate ${s.requestedRate}/s), failures ${s.failures}`,
  ];
  if (s.failures > 0) {
    lines.push(
      `  failures by code: ${Object.entries(s.failuresByCode)
        .map(([c, n]) => `${c} ${n}`)
        .join(", ")}`,
    );
    const first = s.sampleFailures[0];
    if (first)
      lines.push(
        `  first failure: ${first.type} ${first.eventId ?? ""} ${first.errorCode}: ${first.errorMessage ?? ""}`,
      );
  }
  if (s.malformedSent + s.duplicatesSent + s.outOfOrderSent > 0) {
    lines.push(
      `  chaos: ${s.duplicatesSent} duplicates, ${s.outOfOrderSent} out-of-order, ${s.malformedSent} malformed (${s.malformedRejectedByBus} refused by the bus)`,
    );
  }
  const byType = Object.entries(s.sentByType).sort((a, b) => b[1] - a[1]);
  lines.push(byType.length > 0 ? "  by type:" : "  by type: (nothing sent)");
  for (const [t, n] of byType) lines.push(`    ${t.padEnd(24)} ${n}`);
  lines.push(`  story: ${s.expected.story}`);
  lines.push("  watch:");
  for (const w of s.expected.watch) lines.push(`    - ${w}`);
  return `${lines.join("\n")}\n`;
}

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  let args: SimulateArgs | "help";
  try {
    args = parseSimulateArgs(argv, io.env);
  } catch (error) {
    if (!(error instanceof SimulatorArgumentError)) throw error;
    io.stderr.write(`buzzville simulate: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (args === "help") {
    io.stdout.write(USAGE);
    return 0;
  }
  const tty = io.stdout.isTTY === true;
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  if (!io.signal) process.once("SIGINT", onSigint);
  io.signal?.addEventListener("abort", () => abort.abort(), { once: true });
  let lastPlain = -Infinity;
  try {
    io.stdout.write(
      `Simulating ${args.scenario} at ${args.rate}/s for ${args.durationSeconds} s (seed ${args.seed}) on bus ${args.bus}\n`,
    );
    const summary = await runScenario({
      scenario: args.scenario,
      rate: args.rate,
      durationSeconds: args.durationSeconds,
      seed: args.seed,
      busName: args.bus,
      client:
        io.client ??
        withoutSdkLogging(new EventBridgeClient(clientConfigFor(args.endpoint, io.env))),
      signal: abort.signal,
      ...(io.clock ? { clock: io.clock } : {}),
      onProgress: (p) => {
        if (tty) io.stdout.write(`\r\x1b[2K${progressLine(p)}`);
        else if (p.elapsedMs - lastPlain >= 5000) {
          lastPlain = p.elapsedMs;
          io.stdout.write(`${progressLine(p)}\n`);
        }
      },
    });
    if (tty) io.stdout.write("\n");
    io.stdout.write(summaryText(summary));
    return summary.failures > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof SimulatorArgumentError) {
      io.stderr.write(`buzzville simulate: ${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    process.removeListener("SIGINT", onSigint);
  }
}
