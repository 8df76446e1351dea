/**
 * `buzzville cost --events-per-day N`: the monthly AWS bill of the deployed topology for a
 * traffic volume, with every price and assumption it uses (bin/ops/cost-model.ts). Requests per
 * event: `measured` (the last `npm run bench`, bench/results/last.json; the default when it
 * exists), a FILE of that JSON, or `topology` (defaults derived from what each function uses).
 * See docs/CAPACITY.md.
 */
import { existsSync, readFileSync } from "node:fs";
import { LAST_RUN_JSON } from "../../bench/city/report.ts";
import { topology } from "../../infra/topology.ts";
import {
  isScenarioName,
  SCENARIO_NAMES,
  type ScenarioName,
} from "../../simulator/scenarios/index.ts";
import { parseFlags, str } from "./args.ts";
import { fanOutOf } from "./cost-mix.ts";
import {
  type Bill,
  DEFAULT_ASSUMPTIONS,
  dynamoUnitsOf,
  monthlyBill,
  PRICES,
  topologyDefaults,
} from "./cost-model.ts";
import { OpsError, OpsUsageError } from "./errors.ts";
import { defaultIo, type OpsIo, runCommand } from "./io.ts";

export const COST_USAGE = `Usage: buzzville cost --events-per-day N [flags]

The monthly AWS bill (us-east-1 list prices, 730 hours) of the deployed topology for N events
a day, line by line with the price and source of each line.

  --events-per-day N          published events per day (e.g. 86400000 for 1,000 events/s)
  --mix NAME                  the simulator scenario whose mix fans out over the rules
                              (default normal-day; ${SCENARIO_NAMES.join(", ")})
  --requests-per-event SRC    measured (bench/results/last.json from npm run bench; default
                              when present), FILE (that JSON), or topology (derived defaults)
  --json                      one JSON object on stdout
`;

const FLAGS = {
  "events-per-day": { type: "string" },
  mix: { type: "string" },
  "requests-per-event": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean" },
} as const;

interface Measured {
  readonly requestsPerEvent: { byService: Record<string, Record<string, number>> };
  readonly date?: string;
}

function readMeasured(file: string): Measured {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new OpsError(`cannot read the bench result ${file}: ${String(error)}`, { cause: error });
  }
  const r = (parsed as Partial<Measured> | null)?.requestsPerEvent;
  if (!r || typeof r.byService !== "object" || r.byService === null) {
    throw new OpsError(
      `${file} has no requestsPerEvent.byService (expected the JSON of npm run bench -- --json)`,
    );
  }
  return parsed as Measured;
}

function eventsPerDayOf(value: unknown): number {
  const n = Number(value);
  if (value === undefined || !Number.isFinite(n) || n < 0 || n > 1e13) {
    throw new OpsUsageError(
      `--events-per-day must be a number from 0 to 1e13, got ${JSON.stringify(value ?? null)}`,
    );
  }
  return n;
}

export function formatBill(bill: Bill, source: string, eventsPerDay: number): string {
  const usd = (x: number) =>
    `$${x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  const lines = [
    `${eventsPerDay.toLocaleString("en-US")} events/day (${Math.round(eventsPerDay / 86400).toLocaleString("en-US")} events/s), ${Math.round(bill.eventsPerMonth).toLocaleString("en-US")} events/month; requests per event: ${source}`,
    "",
    ...bill.lines.map(
      (l) =>
        `${l.service.padEnd(18)} ${l.item.padEnd(60).slice(0, 60)} ${Math.round(l.quantity).toLocaleString("en-US").padStart(18)} × $${l.price.usd.toPrecision(4)}  ${usd(l.usd).padStart(14)}`,
    ),
    "",
    `Total ${usd(bill.totalUsd)}/month (${usd(bill.usdPerMillionEvents)} per million events). SMS excluded; free tiers other than SQS's 1M requests ignored.`,
    "Prices (us-east-1 list): " +
      Object.values(PRICES)
        .map((p) => `${p.per} $${p.usd.toPrecision(4)} (${p.source})`)
        .join("; "),
  ];
  return lines.join("\n");
}

export async function main(argv: readonly string[], io: OpsIo = defaultIo()): Promise<number> {
  return runCommand("cost", io, async () => {
    const { values } = parseFlags("cost", argv, FLAGS);
    if (values.help) {
      io.stdout.write(COST_USAGE);
      return 0;
    }
    const eventsPerDay = eventsPerDayOf(values["events-per-day"]);
    const mix = str(values.mix) ?? "normal-day";
    if (!isScenarioName(mix)) {
      throw new OpsUsageError(
        `--mix ${JSON.stringify(mix)} is not a scenario; allowed: ${SCENARIO_NAMES.join(", ")}`,
      );
    }
    const wanted =
      str(values["requests-per-event"]) ?? (existsSync(LAST_RUN_JSON) ? "measured" : "topology");
    const fanOut = (await fanOutOf(mix as ScenarioName, topology)).bySubscription;
    const defaults = topologyDefaults(topology, fanOut);
    let source = `topology defaults (mix ${mix})`;
    let dynamo = defaults.dynamo;
    let sns = defaults.snsPublishesPerEvent;
    if (wanted !== "topology") {
      const file = wanted === "measured" ? LAST_RUN_JSON : wanted;
      if (!existsSync(file)) {
        throw new OpsUsageError(
          `--requests-per-event ${wanted}: no file ${file} (run npm run bench first, or pass topology)`,
        );
      }
      const measured = readMeasured(file);
      dynamo = dynamoUnitsOf(measured.requestsPerEvent.byService.dynamodb ?? {});
      sns = measured.requestsPerEvent.byService.sns?.Publish ?? 0;
      source = `DynamoDB and SNS measured by npm run bench (${file}${measured.date ? `, ${measured.date}` : ""}); SQS, Pipes and Lambda from the topology (mix ${mix}) with full batches`;
    }
    const bill = monthlyBill({
      eventsPerDay,
      topology,
      fanOut,
      dynamo,
      snsPublishesPerEvent: sns,
      prices: PRICES,
      assumptions: DEFAULT_ASSUMPTIONS,
    });
    io.stdout.write(
      values.json
        ? `${JSON.stringify({ eventsPerDay, mix, source, fanOut, assumptions: DEFAULT_ASSUMPTIONS, ...bill })}\n`
        : `${formatBill(bill, source, eventsPerDay)}\n`,
    );
    return 0;
  });
}
