import { describe, expect, it } from "vitest";
import {
  decide,
  NORMAL,
  operatorCommand,
  readingOf,
  readingOfAlarm,
} from "../../../../functions/crisis/decide.ts";
import { topology } from "../../../../infra/topology.ts";

const spec = topology.crisis;
const backedUp = readingOf(spec, { depth: spec.enterDepth + 1, oldestSeconds: 0 });
const stale = readingOf(spec, { depth: 1, oldestSeconds: spec.enterOldestSeconds + 1 });
const between = readingOf(spec, { depth: spec.exitDepth + 1, oldestSeconds: 0 });
const calm = readingOf(spec, { depth: 0, oldestSeconds: 0 });

describe("decide (crisis hysteresis)", () => {
  it("enters at once when critical depth or age breaches, naming the reading", () => {
    for (const reading of [backedUp, stale]) {
      const d = decide(spec, NORMAL, reading);
      expect(d.next.mode).toBe("crisis");
      expect(d.transition).toMatchObject({ from: "normal", to: "crisis" });
      expect(d.transition?.reason).toContain(`critical depth ${reading.backlog?.depth}`);
    }
    expect(decide(spec, NORMAL, between)).toEqual({ next: NORMAL });
  });

  it("leaves only after calmChecks consecutive calm readings; a non-calm one restarts the count", () => {
    let state = decide(spec, NORMAL, backedUp).next;
    for (let i = 1; i < spec.calmChecks; i++) {
      const d = decide(spec, state, calm);
      expect(d.transition).toBeUndefined();
      expect(d.next).toEqual({ mode: "crisis", calm: i });
      state = d.next;
    }
    // between the thresholds: still in crisis, and the calm streak starts over
    expect(decide(spec, state, between).next).toEqual({ mode: "crisis", calm: 0 });
    const left = decide(spec, state, calm);
    expect(left.next).toEqual(NORMAL);
    expect(left.transition).toMatchObject({ from: "crisis", to: "normal" });
  });

  it("an AWS alarm: ALARM enters, OK (calmChecks calm periods) leaves, no data keeps", () => {
    const entered = decide(spec, NORMAL, readingOfAlarm("Backlog", "ALARM"));
    expect(entered.transition?.reason).toBe(
      `alarm Backlog is ALARM (enter above depth ${spec.enterDepth} or ${spec.enterOldestSeconds} s)`,
    );
    const none = decide(spec, entered.next, readingOfAlarm("Backlog", "INSUFFICIENT_DATA"));
    expect(none.next).toEqual({ mode: "crisis", calm: 0 });
    const ok = decide(spec, entered.next, readingOfAlarm("Backlog", "OK"), spec.calmChecks);
    expect(ok.next).toEqual(NORMAL);
    expect(ok.transition?.to).toBe("normal");
  });

  it("an operator's on/off pins the mode against readings until auto", () => {
    const on = operatorCommand(NORMAL, "on");
    expect(on.transition).toEqual({ from: "normal", to: "crisis", reason: "operator: crisis on" });
    expect(decide(spec, on.next, calm, 99).next).toBe(on.next);
    const off = operatorCommand(on.next, "off");
    expect(off.next).toEqual({ mode: "normal", calm: 0, pinnedBy: "operator" });
    expect(decide(spec, off.next, backedUp).transition).toBeUndefined();
    const auto = operatorCommand(off.next, "auto");
    expect(auto.transition).toBeUndefined();
    expect(decide(spec, auto.next, backedUp).next.mode).toBe("crisis");
    expect(operatorCommand(on.next, "on").transition).toBeUndefined();
  });
});
