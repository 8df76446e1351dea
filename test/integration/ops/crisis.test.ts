/**
 * Crisis mode on the local cloud (docs/OPERATIONS.md, "Crisis mode"): the local monitor reads the
 * critical queues, the controller disables the info subscriptions' rules while critical work backs
 * up and enables them after the calm checks, every transition is a CrisisModeChanged event on the
 * bus; `buzzville crisis` pins and releases the mode. No functions run, so queues keep what they get.
 */
import { DescribeRuleCommand } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main as crisis } from "../../../bin/ops/crisis.ts";
import type { AnyCityEvent } from "../../../events/catalog.ts";
import { topology } from "../../../infra/topology.ts";
import { LocalCrisisMonitor } from "../../../local/crisis/monitor.ts";
import { cityEvent, stampContext } from "../../unit/functions/fixtures.ts";
import {
  capture,
  drain,
  type OpsHarness,
  PREFIX,
  publish,
  queueUrl,
  startOpsCloud,
  waitFor,
} from "./support.ts";

let h: OpsHarness;
let monitor: LocalCrisisMonitor;
const spec = { ...topology.crisis, enterDepth: 3, exitDepth: 0, calmChecks: 2 };

beforeAll(async () => {
  h = await startOpsCloud();
  monitor = new LocalCrisisMonitor({
    resources: h.resources,
    clients: { sqs: h.sqs, events: h.events, documents: h.documents },
    spec,
  });
});
afterAll(async () => {
  await monitor?.stop();
  await h?.stop();
});

const ruleState = async (subscriptionId: string) =>
  (
    await h.events.send(
      new DescribeRuleCommand({
        Name: `${PREFIX}-${subscriptionId}Rule`,
        EventBusName: h.resources.bus.name,
      }),
    )
  ).State;

type Body = {
  "detail-type": string;
  detail: Record<string, unknown> & { meta: { eventId: string } };
};

/** Bodies seen so far on a queue (each drain deletes what it read). */
function collector(logicalId: string) {
  const seen: Body[] = [];
  return {
    seen,
    async pull(): Promise<Body[]> {
      for (const b of await drain(h, queueUrl(h, logicalId))) seen.push(JSON.parse(b) as Body);
      return seen;
    },
  };
}

const ids = (bodies: readonly Body[]) => bodies.map((b) => b.detail.meta.eventId);
const crisisEvents = (bodies: readonly Body[]) =>
  bodies.filter((b) => b["detail-type"] === "CrisisModeChanged").map((b) => b.detail);

const criticalQueues = ["EmergencyCriticalQueue", "NotificationCriticalQueue"];

describe("local crisis monitor", () => {
  it("sheds the info rules under critical backlog, restores them after calm checks, announcing both", async () => {
    const store = collector("EventStoreQueue");
    const analytics = collector("AnalyticsQueue");
    const ctx = stampContext("fire-sensor-crisis");
    const fires: AnyCityEvent[] = [1, 2, 3, 4].map((n) =>
      cityEvent("FireAlarmRaised", { buildingId: `b-crisis-${n}` }, { ctx, priority: "critical" }),
    );
    await publish(h, fires);
    const shedding = await waitFor("the fire alarms to back up the critical queues", async () => {
      const state = await monitor.check();
      return state.mode === "crisis" ? state : undefined;
    });
    expect(await ruleState("Analytics")).toBe("DISABLED");
    expect(await ruleState("Media")).toBe("DISABLED");
    expect(await ruleState("EmergencyCritical")).toBe("ENABLED");
    const entered = await waitFor("CrisisModeChanged(crisis) in the store's queue", async () => {
      const [e] = crisisEvents(await store.pull());
      return e;
    });
    expect(entered).toMatchObject({
      mode: "crisis",
      previousMode: "normal",
      trigger: "automatic",
      shedSubscriptions: ["Media", "Analytics"],
      zone: "z0",
    });
    expect(entered.criticalDepth).toBeGreaterThan(spec.enterDepth);

    // An info reading during the crisis reaches the store, never analytics.
    await analytics.pull();
    const reading = cityEvent("TrafficDensityMeasured", {}, { ctx: stampContext("cam-crisis") });
    await publish(h, [reading]);
    await waitFor("the reading in the store's queue", async () =>
      ids(await store.pull()).includes(reading.detail.meta.eventId),
    );
    expect(ids(await analytics.pull())).not.toContain(reading.detail.meta.eventId);

    // Critical work drains: one calm check is not enough, the second restores the rules.
    for (const q of criticalQueues) await drain(h, queueUrl(h, q));
    expect(await monitor.check()).toEqual({ mode: "crisis", calm: 1, since: expect.any(String) });
    expect(await ruleState("Analytics")).toBe("DISABLED");
    expect((await monitor.check()).mode).toBe("normal");
    expect(await ruleState("Analytics")).toBe("ENABLED");
    expect(await ruleState("Media")).toBe("ENABLED");
    const left = await waitFor("CrisisModeChanged(normal)", async () =>
      crisisEvents(await store.pull()).find((e) => e.mode === "normal"),
    );
    expect(left).toMatchObject({ previousMode: "crisis", trigger: "automatic", criticalDepth: 0 });
    // the window to replay to the shed rules: from when the shedding began
    expect(left.shedSince).toBe(shedding.since);

    // what the run summary reports: two transitions, what was shed
    expect(monitor.report(7)).toMatchObject({
      transitions: 2,
      shedSubscriptions: ["Media", "Analytics"],
      heldBack: 7,
    });

    const after = cityEvent("TrafficDensityMeasured", {}, { ctx: stampContext("cam-crisis-2") });
    await publish(h, [after]);
    await waitFor("analytics to get readings again", async () =>
      ids(await analytics.pull()).includes(after.detail.meta.eventId),
    );
  });
});

describe("buzzville crisis", () => {
  it("on pins crisis against calm readings, off pins normal, auto hands back, status shows rules", async () => {
    const on = await capture(crisis, ["on", ...h.target]);
    expect(on.err).toBe("");
    expect(on.code).toBe(0);
    expect(on.out).toContain("crisis on: mode crisis (pinned by operator)");
    expect(on.out).toContain(`Analytics: rule ${PREFIX}-AnalyticsRule DISABLED (shed)`);
    expect(await ruleState("Analytics")).toBe("DISABLED");
    // calm readings do not undo an operator's crisis
    expect((await monitor.check()).mode).toBe("crisis");
    expect((await monitor.check()).mode).toBe("crisis");

    const status = await capture(crisis, ["status", "--json", ...h.target]);
    expect(JSON.parse(status.out)).toMatchObject({
      mode: "crisis",
      pinnedBy: "operator",
      rules: [
        { subscriptionId: "Media", enabled: false },
        { subscriptionId: "Analytics", enabled: false },
      ],
    });

    const off = await capture(crisis, ["off", ...h.target]);
    expect(off.out).toContain("crisis off: mode normal (pinned by operator)");
    expect(await ruleState("Analytics")).toBe("ENABLED");
    const auto = await capture(crisis, ["auto", ...h.target]);
    expect(auto.out).toContain("crisis auto: mode normal (automatic)");
    expect(auto.out).toContain(`Media: rule ${PREFIX}-MediaRule ENABLED`);
  });

  it("rejects a missing or unknown action with the allowed ones", async () => {
    const none = await capture(crisis, [...h.target]);
    expect(none.code).toBe(2);
    expect(none.err).toContain("expects one action, one of status, on, off, auto; got none");
    const bad = await capture(crisis, ["panic", ...h.target]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('got "panic"');
  });
});
