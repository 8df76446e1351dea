/**
 * The city bench's block of docs/BENCHMARKS.md (between `bench:city` markers, outside the
 * micro-benchmarks' generated section) and its one-line progress summary.
 */
import { wasBusy } from "../machine.ts";
import { renderMachine } from "../report.ts";
import type { CityBenchResult } from "./index.ts";
import type { RequestsPerEvent } from "./meter.ts";

/** The last city result (JSON), read by `buzzville cost --requests-per-event measured`. */
export const LAST_RUN_JSON = "bench/results/last.json";

export const CITY_START = "<!-- bench:city:start -->";
export const CITY_END = "<!-- bench:city:end -->";

const n1 = (x: number) => (Math.round(x * 10) / 10).toLocaleString("en-US");
const n2 = (x: number) => x.toFixed(2);

/** "sqs 4.1 (ReceiveMessage 2.0, SendMessageBatch 1.2, …); dynamodb …", busiest service first. */
export function formatRequests(r: RequestsPerEvent): string {
  const services = Object.entries(r.byService)
    .map(([service, actions]) => {
      const sum = Object.values(actions).reduce((a, b) => a + b, 0);
      const detail = Object.entries(actions)
        .sort((a, b) => b[1] - a[1])
        .map(([action, v]) => `${action} ${n2(v)}`)
        .join(", ");
      return { service, sum, text: `${service} ${n2(sum)} (${detail})` };
    })
    .sort((a, b) => b.sum - a.sum);
  return services.map((s) => s.text).join("; ");
}

function stepTable(result: CityBenchResult): string[] {
  const subs = [...new Set(result.steps.flatMap((s) => Object.keys(s.latencyMs)))].sort();
  const lines = [
    `| Offered /s | Published /s | Stored /s | Backlog growth | Sustained | CPU ms/event | Requests/event | RSS MB | ${subs.map((s) => `${s} p50/p99 ms`).join(" | ")} |`,
    `| ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ${subs.map(() => "---:").join(" | ")} |`,
  ];
  for (const s of result.steps) {
    const lat = subs.map((id) => {
      const p = s.latencyMs[id];
      return p ? `${p.p50} / ${p.p99}` : "–";
    });
    lines.push(
      `| ${s.offeredPerSecond} | ${n1(s.publishedPerSecond)} | ${n1(s.storedPerSecond)} | ${s.backlogGrowth} | ${s.sustained ? "yes" : `no: ${s.reason}`} | ${n2(s.cpuMsPerEvent)} | ${n2(s.requestsPerEvent.total)} | ${s.rssMB} | ${lat.join(" | ")} |`,
    );
  }
  return lines;
}

export function renderCitySection(result: CityBenchResult): string {
  const burst = result.burst;
  const iso = result.isolation;
  const lines = [
    CITY_START,
    "## Latest results: the city end to end",
    "",
    renderMachine(result.machine, result.date, wasBusy(result.machine)),
    `Mode: ${result.mode}. \`npm run bench -- --json\` prints the same figures as one JSON object.`,
    "",
    "| Figure | Value |",
    "| --- | --- |",
    `| Sustained stored rate | **${n1(result.sustainedEventsPerSecond)} events/s** (best sustained step: offered ${result.atOfferedPerSecond}/s) |`,
    `| CPU per event (whole process, all threads) | ${n2(result.cpuMsPerEvent)} ms |`,
    `| Requests per event (all services) | ${n2(result.requestsPerEvent.total)} |`,
    `| Emulators' ceiling for that request mix | ${n1(result.ceiling.eventsPerSecond)} events/s (${result.ceiling.events} events in ${result.ceiling.seconds} s) → ceilingRatio ${result.ceilingRatio} |`,
    `| Burst of ${burst.events} events | ${burst.stored} stored, ${burst.drainSeconds === null ? "not drained within the bound" : `drained in ${burst.drainSeconds} s`}${burst.startBacklog > 0 ? ` (began with ${burst.startBacklog} earlier events not stored: not comparable)` : ""} |`,
    `| Priority isolation | critical p99 ${iso.idleCriticalMs.p99} ms idle, ${iso.floodCriticalMs.p99} ms during a ${iso.floodRate}/s info flood → isolationRatio ${iso.isolationRatio}${isolationCaveat(iso)} |`,
    `| RSS at 200 events/s | ${result.rssMB ?? "–"} MB |`,
    "",
    `Requests per event at the headline step, by service and action: ${formatRequests(result.requestsPerEvent)}.`,
    "",
    ...(Object.keys(result.ceiling.notReplayed).length > 0
      ? [
          `Not replayed by the ceiling (no generator): ${Object.entries(result.ceiling.notReplayed)
            .map(([k, v]) => `${k} ${n2(v)}`)
            .join(", ")}.`,
          "",
        ]
      : []),
    "### Ramp",
    "",
    ...stepTable(result),
    "",
    ...(result.problems.length > 0
      ? [
          `${result.problems.length} error or warning line(s) from the cloud or the functions (first: \`${(result.problems[0] ?? "").replaceAll("`", "'").slice(0, 200)}\`).`,
          "",
        ]
      : []),
    CITY_END,
  ];
  return lines.join("\n");
}

/** The document with its city block replaced (or inserted before the generated section / appended). */
export function withCitySection(previous: string, section: string): string {
  const start = previous.indexOf(CITY_START);
  const end = previous.indexOf(CITY_END, start);
  if (start >= 0 && end >= 0) {
    return `${previous.slice(0, start)}${section}${previous.slice(end + CITY_END.length)}`;
  }
  const generated = previous.indexOf("<!-- bench:generated:start -->");
  if (generated >= 0) {
    return `${previous.slice(0, generated)}${section}\n\n${previous.slice(generated)}`;
  }
  return `${previous.trimEnd()}\n\n${section}\n`;
}

/** Why an isolation ratio is not comparable: it began on earlier work still pending. */
function isolationCaveat(iso: CityBenchResult["isolation"]): string {
  const pending = [
    iso.startBacklog > 0 ? `${iso.startBacklog} earlier events not stored` : "",
    iso.startQueued > 0 ? `${iso.startQueued} messages still queued` : "",
  ].filter((s) => s !== "");
  return pending.length > 0 ? ` (began with ${pending.join(" and ")}: not comparable)` : "";
}
