/**
 * `buzzville load --profile ramp|burst|soak`: the city's load test against any deployment (the
 * local cloud by `--endpoint`/AWS_ENDPOINT_URL and `--prefix`, or a stack by `--stack`). It
 * publishes the simulator's normal-day mix (one validating CityEventPublisher per device), then
 * reads the event store until every accepted event id is there. Missing ids are "undrained" while
 * the store still takes our events, "lost" once it stopped. Exit 1 when anything was lost, 3 when
 * events were only undrained. See docs/CAPACITY.md.
 */
import { SHARED_IDS } from "../../infra/resources.ts";
import { AcceptedEvents } from "../../local/up/accounting.ts";
import { scanEventStore } from "../../local/up/inspect.ts";
import { VirtualClock } from "../../simulator/clock.ts";
import { runScenario } from "../../simulator/run.ts";
import { intFlag, parseFlags, str, TARGET_FLAGS } from "./args.ts";
import type { AwsClients } from "./aws.ts";
import { deploymentFrom } from "./deployment.ts";
import { discoverBus, prefixFrom } from "./discovery.ts";
import { OpsUsageError } from "./errors.ts";
import { clientsFor, defaultIo, type OpsIo, runCommand } from "./io.ts";
import { OUTPUT_KEYS, readStackOutputs } from "./stack-outputs.ts";

export const LOAD_USAGE = `Usage: buzzville load [flags]

Publishes the simulator's normal-day mix to a deployment and checks the event store for every
event the bus accepted.

  --profile P    soak (constant --rate for --duration), ramp (rate/4, rate/2, rate, a third of
                 --duration each) or burst (rate × duration events at once). Default soak
  --rate N       events per second (default 20)
  --duration S   seconds (default 30)
  --wait S       how long to wait for the event store after publishing (default 60)
  --seed N       the simulator's seed (default 42)
  --json         one JSON object on stdout (progress stays on stderr)
  --endpoint URL --region R --profile-name P --prefix P --stack S  (see buzzville dlq --help)

Exit status: 0 every event stored, 1 events lost, 3 events still undrained at the end of --wait,
2 usage error.
`;

const FLAGS = {
  ...TARGET_FLAGS,
  // --profile names the load profile here; the AWS profile is --profile-name.
  profile: { type: "string" },
  "profile-name": { type: "string" },
  rate: { type: "string" },
  duration: { type: "string" },
  wait: { type: "string" },
  seed: { type: "string" },
  json: { type: "boolean" },
} as const;

export const PROFILES = ["soak", "ramp", "burst"] as const;
export type LoadProfile = (typeof PROFILES)[number];

export interface LoadSummary {
  readonly profile: LoadProfile;
  readonly rate: number;
  readonly durationSeconds: number;
  readonly target: string;
  readonly published: number;
  readonly failedToPublish: number;
  readonly stored: number;
  readonly lost: number;
  readonly undrained: number;
  readonly publishSeconds: number;
  readonly drainSeconds: number;
  readonly publishedPerSecond: number;
}

/** Phases of a profile: [events per second, seconds]; burst is one virtual-clock phase. */
export function phasesOf(profile: LoadProfile, rate: number, seconds: number): [number, number][] {
  if (profile === "soak") return [[rate, seconds]];
  if (profile === "burst") return [[rate, seconds]];
  const third = Math.max(1, Math.round(seconds / 3));
  return [
    [Math.max(1, rate / 4), third],
    [Math.max(1, rate / 2), third],
    [rate, third],
  ];
}

async function busName(values: Readonly<Record<string, unknown>>, aws: AwsClients) {
  const stack = str(values.stack);
  if (stack) {
    return (await readStackOutputs(aws, stack)).require(OUTPUT_KEYS.bus, "is the stack deployed?");
  }
  return (await discoverBus(aws, prefixFrom(values))).name;
}

interface Publishing {
  readonly accepted: AcceptedEvents;
  readonly seconds: number;
}

async function publish(
  aws: AwsClients,
  bus: string,
  o: { profile: LoadProfile; rate: number; duration: number; seed: number },
  progress: (line: string) => void,
): Promise<Publishing> {
  const accepted = new AcceptedEvents();
  const client = accepted.wrap(aws.events);
  const started = Date.now();
  const phases = phasesOf(o.profile, o.rate, o.duration);
  for (const [i, [rate, seconds]] of phases.entries()) {
    progress(`phase ${i + 1}/${phases.length}: ${rate} events/s for ${seconds} s`);
    await runScenario({
      scenario: "normal-day",
      rate,
      durationSeconds: seconds,
      seed: o.seed + i,
      busName: bus,
      client,
      // A burst: the whole phase's steps at once (a virtual clock never waits).
      ...(o.profile === "burst" ? { clock: new VirtualClock(Date.now()) } : {}),
      maxAcceptedIds: 1,
      onProgress: () =>
        progress(
          `published ${accepted.accepted}, failed ${accepted.failedEntries}, ${Math.round((Date.now() - started) / 1000)} s`,
        ),
    });
  }
  return { accepted, seconds: (Date.now() - started) / 1000 };
}

interface Drained {
  readonly stored: number;
  readonly missing: number;
  /** Whether the store still took our events during the last polls. */
  readonly moving: boolean;
  readonly seconds: number;
}

async function waitForStore(
  aws: AwsClients,
  table: string,
  ids: ReadonlySet<string>,
  waitSeconds: number,
  io: OpsIo,
  progress: (line: string) => void,
): Promise<Drained> {
  const now = io.now ?? Date.now;
  const sleep = io.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const started = now();
  const history: number[] = [];
  for (;;) {
    const present = (await scanEventStore(aws.dynamodb, table)).ids;
    let stored = 0;
    for (const id of ids) if (present.has(id)) stored++;
    history.push(stored);
    const seconds = (now() - started) / 1000;
    progress(`stored ${stored} of ${ids.size}, ${Math.round(seconds)} s`);
    // Moving: more of our events arrived within the last three polls.
    const moving = history.length < 6 || stored > (history.at(-4) ?? 0);
    if (stored === ids.size || seconds >= waitSeconds || !moving) {
      return { stored, missing: ids.size - stored, moving, seconds };
    }
    await sleep(2000);
  }
}

export function formatLoad(s: LoadSummary): string {
  const rows: [string, string | number][] = [
    ["target", s.target],
    ["profile", `${s.profile} at ${s.rate} events/s for ${s.durationSeconds} s`],
    ["published (accepted by the bus)", s.published],
    ["failed to publish", s.failedToPublish],
    ["stored in the event store", s.stored],
    ["lost", s.lost],
    ["undrained at the end of the wait", s.undrained],
    ["publishing", `${s.publishSeconds} s (${s.publishedPerSecond} events/s)`],
    ["waiting for the store", `${s.drainSeconds} s`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

function positiveNumber(flag: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 100_000) {
    throw new OpsUsageError(
      `--${flag} must be a number > 0 and ≤ 100000, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

export async function main(argv: readonly string[], io: OpsIo = defaultIo()): Promise<number> {
  return runCommand("load", io, async () => {
    const { values } = parseFlags("load", argv, FLAGS);
    if (values.help) {
      io.stdout.write(LOAD_USAGE);
      return 0;
    }
    const profile = str(values.profile) ?? "soak";
    if (!(PROFILES as readonly string[]).includes(profile)) {
      throw new OpsUsageError(
        `--profile ${JSON.stringify(profile)} is not a load profile; allowed: ${PROFILES.join(", ")}`,
      );
    }
    const options = {
      profile: profile as LoadProfile,
      rate: positiveNumber("rate", values.rate, 20),
      duration: positiveNumber("duration", values.duration, 30),
      seed: intFlag("seed", values.seed, { min: 0, max: 0xffffffff }) ?? 42,
    };
    const wait = positiveNumber("wait", values.wait, 60);
    const progress = (line: string) => io.stderr.write(`[load] ${line}\n`);
    const aws = clientsFor({ ...values, profile: values["profile-name"] }, io);
    try {
      const bus = await busName(values, aws);
      const table = await deploymentFrom(values, aws).table(SHARED_IDS.eventsTable);
      progress(`publishing to ${bus} at ${aws.describe("EVENTBRIDGE")}; event store ${table}`);
      const published = await publish(aws, bus, options, progress);
      const drained = await waitForStore(aws, table, published.accepted.ids, wait, io, progress);
      const summary: LoadSummary = {
        profile: options.profile,
        rate: options.rate,
        durationSeconds: options.duration,
        target: `${bus} (${aws.describe("EVENTBRIDGE")})`,
        published: published.accepted.accepted,
        failedToPublish: published.accepted.failedEntries,
        stored: drained.stored,
        lost: drained.moving ? 0 : drained.missing,
        undrained: drained.moving ? drained.missing : 0,
        publishSeconds: Math.round(published.seconds * 10) / 10,
        drainSeconds: Math.round(drained.seconds * 10) / 10,
        publishedPerSecond:
          Math.round((published.accepted.accepted / Math.max(0.001, published.seconds)) * 10) / 10,
      };
      io.stdout.write(values.json ? `${JSON.stringify(summary)}\n` : `${formatLoad(summary)}\n`);
      if (summary.lost > 0) return 1;
      return summary.undrained > 0 ? 3 : 0;
    } finally {
      aws.destroy();
    }
  });
}
