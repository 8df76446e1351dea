/**
 * The AWS controller path without AWS: an alarm state change in, the rules switched, the state
 * saved and a CrisisModeChanged event out (the real publisher over an in-memory PutEvents).
 */
import { describe, expect, it } from "vitest";
import { handleAlarmChange } from "../../../../functions/crisis/alarm-handler.ts";
import { CrisisController, type RuleSwitch } from "../../../../functions/crisis/controller.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { InMemoryBus } from "../../../../functions/shared/derived.ts";
import { InMemoryDocumentStore } from "../../../../functions/shared/documents.ts";
import { topology } from "../../../../infra/topology.ts";

class MemoryRules implements RuleSwitch {
  readonly enabled = new Map<string, boolean>([
    ["r-media", true],
    ["r-analytics", true],
  ]);
  async setEnabled(name: string, on: boolean): Promise<void> {
    if (!this.enabled.has(name)) throw new Error(`ResourceNotFoundException: rule ${name}`);
    this.enabled.set(name, on);
  }
  async isEnabled(name: string): Promise<boolean> {
    return this.enabled.get(name) ?? false;
  }
}

const change = (value: string) => ({
  source: "aws.cloudwatch",
  "detail-type": "CloudWatch Alarm State Change",
  detail: { alarmName: "CrisisBacklogAlarm", state: { value } },
});

function setup() {
  const rules = new MemoryRules();
  const bus = new InMemoryBus();
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 10));
  const controller = new CrisisController({
    spec: topology.crisis,
    shed: [
      { subscriptionId: "Media", ruleName: "r-media" },
      { subscriptionId: "Analytics", ruleName: "r-analytics" },
    ],
    rules,
    docs: new InMemoryDocumentStore(),
    announcer: bus.publisher("crisis", () => clock.now()),
    clock,
  });
  const handler = handleAlarmChange(async () => ({ controller, spec: topology.crisis }));
  return { rules, bus, clock, handler };
}

describe("crisis controller Lambda", () => {
  it("ALARM sheds, OK restores after the alarm's calm periods; each transition announced once", async () => {
    const { rules, bus, clock, handler } = setup();
    expect(await handler(change("ALARM"))).toMatchObject({ mode: "crisis" });
    expect([...rules.enabled.values()]).toEqual([false, false]);
    await handler(change("ALARM")); // a repeated state: no second transition
    await handler(change("INSUFFICIENT_DATA"));
    expect(bus.ofType("CrisisModeChanged")).toHaveLength(1);
    clock.advance(120_000);
    expect(await handler(change("OK"))).toEqual({ mode: "normal", calm: 0 });
    expect([...rules.enabled.values()]).toEqual([true, true]);
    const [entered, left] = bus.ofType("CrisisModeChanged").map((e) => e.detail);
    expect(entered).toMatchObject({ mode: "crisis", trigger: "automatic", zone: "z0" });
    expect(entered?.reason).toContain("alarm CrisisBacklogAlarm is ALARM");
    expect(left).toMatchObject({
      mode: "normal",
      previousMode: "crisis",
      shedSince: "2026-11-23T10:00:00.000Z",
      shedSubscriptions: ["Media", "Analytics"],
    });
  });

  it("rejects an event that is not an alarm state change, naming what it needs", async () => {
    const { handler } = setup();
    await expect(handler({ "detail-type": "Scheduled Event", detail: {} })).rejects.toThrow(
      /expected a "CloudWatch Alarm State Change" event/,
    );
    await expect(handler(change("MAYBE"))).rejects.toThrow(/OK\|ALARM\|INSUFFICIENT_DATA/);
  });

  it("a failed rule switch leaves the state unchanged, so the next alarm event retries", async () => {
    const { rules, bus, handler } = setup();
    rules.enabled.delete("r-analytics");
    await expect(handler(change("ALARM"))).rejects.toThrow("ResourceNotFoundException");
    expect(bus.ofType("CrisisModeChanged")).toHaveLength(0);
    rules.enabled.set("r-analytics", true);
    expect((await handler(change("ALARM"))).mode).toBe("crisis");
  });
});
