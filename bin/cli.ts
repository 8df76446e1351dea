/**
 * `buzzville <command>`: `local` (the local cloud endpoint, topology deployed), `up` (the whole
 * city: cloud, functions, traffic, live status; `npm start`), `simulate` (the city simulator
 * against any bus), the operator commands `dlq`, `replay`, `stream` (bin/ops/), `help`.
 *
 * Each command's modules are imported when that command runs: `up` and `local` never load the
 * operator tools' Powertools Tracer, whose X-Ray SDK switches on async hooks for the whole thread
 * (every awaited promise would cost many times more in the local cloud's main thread).
 */

import { type FlagSpec, intFlag, parseFlags, positiveFlag, str } from "./ops/args.ts";
import { OpsUsageError } from "./ops/errors.ts";

/** Bad flags or arguments of `up`/`local` (the operator commands throw their own OpsUsageError). */
export class CliUsageError extends OpsUsageError {
  override readonly name = "CliUsageError";
}

export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
  /** Aborts a running command (tests); otherwise SIGINT/SIGTERM do. */
  readonly signal?: AbortSignal;
}

const USAGE = `Usage: buzzville <command> [flags]

Commands:
  up        Run the whole city locally: cloud, deployment, functions, traffic, live status
            (npm start). Flags: --port N (4566) --host H (127.0.0.1) --data-dir DIR
            --duration SECONDS --json --scenario NAME (normal-day) --rate N (10) --seed N (42)
            --drain-timeout SECONDS (60) --max-instances N (cores/2) --verbose
            --console-port N (port + 1) --no-console: the operators' web console
  local     Serve the local cloud on one port with the topology deployed.
            Flags: --port N (4566) --host H (127.0.0.1) --data-dir DIR --no-deploy --functions
            (with --functions: the console too, --console-port N, --no-console)
  simulate  Run the city simulator against an EventBridge bus (see buzzville simulate --help).
  dlq       Operate the DLQs of any deployment: dlq list [--queue NAME|all] [--json],
            dlq redrive --queue NAME [--max N] [--dry-run] (see buzzville dlq --help).
  replay    Replay the bus archive: replay --from ISO --to ISO [--rules A,B] [--archive NAME].
  stream    Events and state at an instant of an event-store stream:
            stream <streamId> [--as-of ISO] [--json].
  timeline  One story's events across streams in happened-before order:
            timeline <incidentId|correlationId> [--json] [--mermaid].
  trace     An event's trace as a waterfall (X-Ray: the local cloud's or AWS's):
            trace <eventId|traceId|incidentId|correlationId> [--all] [--json].
  publish   Publish a hand-made event through the validating publisher:
            publish --type T --payload JSON|@file [--count N].
  load      Load test a deployment: load --profile ramp|burst|soak --rate N --duration S [--json].
  cost      Monthly AWS bill: cost --events-per-day N [--requests-per-event FILE|measured|topology].
  crisis    Crisis mode (shed info subscriptions): crisis status|on|off|auto [--json].
  projections  Rebuild the read models from the event store:
            projections rebuild [--only NAME] [--as-of ISO] [--check] [--json].
            Operator commands use the standard AWS configuration (AWS_ENDPOINT_URL, AWS_PROFILE,
            AWS_REGION) or --endpoint URL; they find the local cloud's resources by name
            (--prefix P, default buzzville-local) or a deployed stack's by its outputs
            (--stack BuzzVille-<stage>); see docs/OPERATIONS.md.
  tail      Print the city's events as they pass on the bus:
            tail [--type T] [--zone Z] [--priority P] [--max N] [--json].
  help      Show this help.

Point the AWS CLI or an SDK at it: AWS_ENDPOINT_URL=http://127.0.0.1:4566 (see docs/LOCAL.md).
`;

const COMMON: FlagSpec = {
  port: { type: "string" },
  host: { type: "string" },
  "data-dir": { type: "string" },
  help: { type: "boolean" },
};
const UP: FlagSpec = {
  ...COMMON,
  duration: { type: "string" },
  json: { type: "boolean" },
  scenario: { type: "string" },
  rate: { type: "string" },
  seed: { type: "string" },
  "drain-timeout": { type: "string" },
  "max-instances": { type: "string" },
  verbose: { type: "boolean" },
  "console-port": { type: "string" },
  "no-console": { type: "boolean" },
};
const LOCAL: FlagSpec = {
  ...COMMON,
  "no-deploy": { type: "boolean" },
  functions: { type: "boolean" },
  "console-port": { type: "string" },
  "no-console": { type: "boolean" },
};

/** `--no-console` / `--console-port N` of up and local (the operators' console, local/console). */
function consoleFlags(v: Record<string, unknown>) {
  const port = intFlag("console-port", v["console-port"], { min: 0, max: 65535 });
  if (v["no-console"] === true) {
    if (port !== undefined)
      throw new CliUsageError("--console-port and --no-console exclude each other");
    return { console: false as const };
  }
  return port === undefined ? {} : { console: { port } };
}

const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
/** The handlers stopSignal installed; removed when the command is over (signals kill again). */
const installed: { readonly name: NodeJS.Signals; readonly handler: () => void }[] = [];

/**
 * Aborts on the first SIGINT/SIGTERM/SIGHUP (clean stop); a second one exits at once. Only while
 * the command runs: once it returned, a signal ends the process as usual.
 */
function stopSignal(io: CliIo): AbortSignal {
  if (io.signal) return io.signal;
  const abort = new AbortController();
  const onSignal = (name: string) => {
    if (abort.signal.aborted) {
      io.stderr.write(`\n${name} again: exiting without cleanup\n`);
      process.exit(130);
    }
    io.stderr.write(`\n${name}: stopping cleanly (again to force)...\n`);
    abort.abort();
  };
  for (const name of STOP_SIGNALS) {
    const handler = () => onSignal(name);
    process.on(name, handler);
    installed.push({ name, handler });
  }
  return abort.signal;
}

async function simulate(argv: string[], io: CliIo): Promise<number> {
  const { main } = await import("../simulator/cli.ts");
  return main(argv, {
    stdout: io.stdout,
    stderr: io.stderr,
    env: process.env,
    signal: stopSignal(io),
  });
}

/** Name, message and causes; the stack only with BUZZVILLE_DEBUG=1. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (process.env.BUZZVILLE_DEBUG === "1") return error.stack ?? error.message;
  let text = `${error.name}: ${error.message}`;
  for (let cause = error.cause; cause instanceof Error; cause = cause.cause) {
    text += `\n  caused by ${cause.name}: ${cause.message}`;
  }
  return text;
}

/** The operator commands (bin/ops/), each imported when it runs. */
const OPS_COMMANDS: Readonly<Record<string, () => Promise<{ main: OpsMain }>>> = {
  dlq: () => import("./ops/dlq.ts"),
  replay: () => import("./ops/replay.ts"),
  stream: () => import("./ops/stream.ts"),
  timeline: () => import("./ops/timeline.ts"),
  trace: () => import("./ops/trace.ts"),
  publish: () => import("./ops/publish.ts"),
  crisis: () => import("./ops/crisis.ts"),
  projections: () => import("./ops/projections.ts"),
  load: () => import("./ops/load.ts"),
  cost: () => import("./ops/cost.ts"),
};
type OpsMain = (argv: string[], io: CliIo) => Promise<number>;

export async function run(argv: string[], io: CliIo = process): Promise<number> {
  const [command = "help", ...rest] = argv;
  try {
    return await dispatch(command, rest, io);
  } catch (error) {
    if (error instanceof OpsUsageError) {
      io.stderr.write(`buzzville ${error.message}\n\n${USAGE}`);
      return 2;
    }
    io.stderr.write(`buzzville ${command}: ${describeError(error)}\n`);
    return 1;
  } finally {
    for (const { name, handler } of installed.splice(0)) process.off(name, handler);
  }
}

async function dispatch(command: string, rest: string[], io: CliIo): Promise<number> {
  const ops = OPS_COMMANDS[command];
  if (ops) return (await ops()).main(rest, io);
  switch (command) {
    case "help":
    case "--help":
    case "-h":
      io.stdout.write(USAGE);
      return 0;
    case "simulate":
      return simulate(rest, io);
    case "tail":
      return (await import("./ops/tail.ts")).main(rest, {
        stdout: io.stdout,
        stderr: io.stderr,
        signal: stopSignal(io),
      });
    case "up":
      return up(rest, io);
    case "local":
      return local(rest, io);
    default:
      throw new CliUsageError(
        `unknown command ${JSON.stringify(command)}; allowed: up, local, simulate, help, dlq, replay, stream, timeline, trace, publish, load, cost, crisis, projections`,
      );
  }
}

/** `buzzville up`: flags checked before anything boots; the exit code says what the summary found. */
async function up(argv: string[], io: CliIo): Promise<number> {
  const v = parseFlags("up", argv, UP).values;
  if (v.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const duration = positiveFlag("duration", v.duration);
  if (v.json && duration === undefined) {
    throw new CliUsageError("--json needs --duration SECONDS (the summary is printed at the end)");
  }
  const scenario = typeof v.scenario === "string" ? v.scenario : undefined;
  const { isScenarioName, SCENARIO_NAMES } = await import("../simulator/scenarios/index.ts");
  if (scenario !== undefined && !isScenarioName(scenario)) {
    throw new CliUsageError(
      `--scenario ${JSON.stringify(scenario)} is not a simulator scenario; allowed: ${SCENARIO_NAMES.join(", ")}`,
    );
  }
  const { runUp } = await import("../local/up/run.ts");
  const { exitCodeOf } = await import("../local/up/status.ts");
  const summary = await runUp({
    ...cloudFlags(v),
    ...defined("durationSeconds", duration),
    ...(scenario ? { scenario } : {}),
    ...defined("rate", positiveFlag("rate", v.rate)),
    ...defined("seed", intFlag("seed", v.seed, { min: 0, max: 0xffffffff })),
    ...defined("drainTimeoutSeconds", positiveFlag("drain-timeout", v["drain-timeout"])),
    ...defined(
      "maxInstancesPerFunction",
      intFlag("max-instances", v["max-instances"], { min: 1, max: 64 }),
    ),
    ...consoleFlags(v),
    json: v.json === true,
    verbose: v.verbose === true,
    tty: io.stdout.isTTY === true && v.json !== true,
    signal: stopSignal(io),
    out: (t) => io.stdout.write(t),
    err: (t) => io.stderr.write(t),
  });
  return exitCodeOf(summary);
}

/** `buzzville local`: serves until stopped. */
async function local(argv: string[], io: CliIo): Promise<number> {
  const v = parseFlags("local", argv, LOCAL).values;
  if (v.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const { runLocal } = await import("../local/up/local-command.ts");
  await runLocal({
    ...cloudFlags(v),
    deploy: v["no-deploy"] !== true,
    functions: v.functions === true,
    ...consoleFlags(v),
    signal: stopSignal(io),
    out: (t) => io.stdout.write(t),
    err: (t) => io.stderr.write(t),
  });
  return 0;
}

/** `--port`, `--host`, `--data-dir` of up and local. */
function cloudFlags(v: Readonly<Record<string, unknown>>) {
  const host = str(v.host);
  const dataDir = str(v["data-dir"]);
  return {
    ...defined("port", intFlag("port", v.port, { min: 0, max: 65535 })),
    ...(host ? { host } : {}),
    ...(dataDir ? { dataDir } : {}),
  };
}

/** `{ [key]: value }` when the value is defined, else nothing (exactOptionalPropertyTypes). */
function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
