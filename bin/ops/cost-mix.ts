/**
 * Which subscriptions (rules) each event of a simulator scenario's mix reaches: the scenario is
 * played on a virtual clock into a capturing client (no bus), and each captured entry is matched
 * against every subscription's pattern by the local EventBridge's pattern engine. The share of
 * events per subscription is the topology's fan-out for the cost model (bin/ops/cost-model.ts).
 */
import type { PutEventsCommand, PutEventsCommandOutput } from "@aws-sdk/client-eventbridge";
import type { Topology } from "../../infra/topology.ts";
import { compilePatternValue, matchesPattern } from "../../local/eventbridge/patterns/index.ts";
import { VirtualClock } from "../../simulator/clock.ts";
import { runScenario } from "../../simulator/run.ts";
import type { ScenarioName } from "../../simulator/scenarios/index.ts";

export interface MixFanOut {
  readonly scenario: string;
  readonly events: number;
  /** Share of the mix's events each subscription's rule matches, by subscription id. */
  readonly bySubscription: Record<string, number>;
}

/** Plays `scenario` (60 s at 20 events/s, seed 42) and matches every event against the rules. */
export async function fanOutOf(scenario: ScenarioName, topology: Topology): Promise<MixFanOut> {
  const wire: Record<string, unknown>[] = [];
  const client = {
    async send(command: PutEventsCommand): Promise<PutEventsCommandOutput> {
      const entries = command.input.Entries ?? [];
      for (const e of entries) {
        wire.push({
          source: e.Source,
          "detail-type": e.DetailType,
          detail: JSON.parse(e.Detail ?? "{}") as unknown,
        });
      }
      return {
        $metadata: {},
        FailedEntryCount: 0,
        Entries: entries.map((_, i) => ({ EventId: `mix-${wire.length}-${i}` })),
      };
    },
  };
  await runScenario({
    scenario,
    rate: 20,
    durationSeconds: 60,
    seed: 42,
    busName: "mix",
    client,
    clock: new VirtualClock(),
    runTag: "mix",
  });
  const bySubscription: Record<string, number> = {};
  for (const sub of topology.subscriptions) {
    const pattern = compilePatternValue(sub.pattern);
    const hits = wire.filter((e) => matchesPattern(pattern, e)).length;
    bySubscription[sub.id] = wire.length > 0 ? hits / wire.length : 0;
  }
  return { scenario, events: wire.length, bySubscription };
}
