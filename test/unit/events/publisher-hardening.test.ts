/**
 * The publisher under hostile producers (docs/RELIABILITY.md, "Hostile input"): a lowered
 * priority, personal data in free text, values JSON cannot show, and input that is not a list.
 */
import { describe, expect, it } from "vitest";
import { personalDataIn } from "../../../events/free-text.ts";
import { CATALOG, InvalidEventError } from "../../../events/index.ts";
import { setup } from "./publisher-setup.ts";

const fireAlarm = CATALOG.FireAlarmRaised.example;

async function rejected(run: () => Promise<unknown>): Promise<InvalidEventError> {
  const error = await run().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidEventError);
  return error as InvalidEventError;
}

describe("priority", () => {
  it("refuses a FireAlarmRaised lowered to info, naming the allowed priorities; nothing is sent", async () => {
    const { publisher, fake } = setup();
    const error = await rejected(() =>
      publisher.publish([{ type: "FireAlarmRaised", payload: fireAlarm, priority: "info" }]),
    );
    expect(error.problems).toEqual([
      expect.objectContaining({
        index: 0,
        eventType: "FireAlarmRaised",
        path: "priority",
        rule: expect.stringContaining('allowed critical, got "info"'),
      }),
    ]);
    expect(fake.calls).toHaveLength(0);
  });

  it("accepts the classified priority or a more urgent one", async () => {
    const { publisher } = setup();
    const [event] = await publisher.publish([
      {
        type: "TrafficDensityMeasured",
        payload: CATALOG.TrafficDensityMeasured.example,
        priority: "high",
      },
    ]);
    expect(event?.detail.meta.priority).toBe("high");
  });

  it("refuses to resend a stamped event whose priority was lowered", async () => {
    const { publisher } = setup();
    const [event] = await publisher.publish([{ type: "FireAlarmRaised", payload: fireAlarm }]);
    if (!event) throw new Error("no event");
    const lowered = {
      ...event,
      detail: { ...event.detail, meta: { ...event.detail.meta, priority: "normal" } },
    };
    const error = await rejected(() => publisher.resend([lowered as typeof event]));
    expect(error.message).toContain("allowed critical");
  });
});

describe("personal data in free text", () => {
  it.each([
    ["an e-mail address", { address: "ask jane.doe@example.org" }],
    ["a phone number", { address: "call +31 20 123 4567" }],
  ])("rejects %s in location.address, naming the field", async (_what, location) => {
    const { publisher } = setup();
    const payload = { ...fireAlarm, location: { ...fireAlarm.location, ...location } };
    const error = await rejected(() => publisher.publish([{ type: "FireAlarmRaised", payload }]));
    expect(error.problems[0]).toMatchObject({ path: "location.address" });
    expect(error.problems[0]?.rule).toContain("must not contain personal data");
  });

  it.each([
    "Waterlooplein 22",
    "Storm from 2026-11-23 14:00 to 2026-11-23 18:00",
    "Line 12 delayed 15 min at platform 3",
    "INC-20261123-0001 closed",
    "Keep 1.5 m distance; 300 people expected",
  ])("keeps the city's own text: %s", (text) => {
    expect(personalDataIn(text)).toBeUndefined();
  });

  it.each(["0612345678", "(020) 555 1234", "555-123-4567", "+44 7911 123456", "a@b.io"])(
    "finds %s",
    (text) => {
      expect(personalDataIn(`contact ${text} now`)).toBeDefined();
    },
  );
});

describe("malformed producer input", () => {
  it.each([["x"], [42], [null], [{ type: "FireAlarmRaised" }]])(
    "publish(%o) throws InvalidEventError saying it takes a list",
    async (input) => {
      const { publisher } = setup();
      const error = await rejected(() => publisher.publish(input as never));
      expect(error.message).toContain("publish takes an array of drafts");
    },
  );

  it.each([
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "Infinity"],
  ])("reports %s as itself, not as null", async (value, shown) => {
    const { publisher } = setup();
    const payload = { ...fireAlarm, temperatureC: value };
    const error = await rejected(() => publisher.publish([{ type: "FireAlarmRaised", payload }]));
    expect(error.problems[0]?.rule).toContain(`got ${shown}`);
  });
});
