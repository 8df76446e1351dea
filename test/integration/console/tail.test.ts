/**
 * `buzzville tail` against the local cloud: only the events matching its filters are printed,
 * as they pass on the bus, and its temporary rule and queue are gone afterwards.
 */
import { ListRulesCommand } from "@aws-sdk/client-eventbridge";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../bin/ops/tail.ts";
import { definitionOf } from "../../../events/catalog.ts";
import { CityEventPublisher } from "../../../events/publisher.ts";
import { type OpsHarness, startOpsCloud, waitFor } from "../ops/support.ts";

let h: OpsHarness;
beforeAll(async () => {
  h = await startOpsCloud();
});
afterAll(async () => {
  await h?.stop();
});

function io() {
  let out = "";
  let err = "";
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    out: () => out,
    err: () => err,
  };
}

const example = definitionOf("WeatherAlertIssued").example;
/** The catalog's example alert, placed in `zone` (its meta.zone). */
const alert = (zone: string, alertId: string) => ({
  type: "WeatherAlertIssued" as const,
  payload: { ...example, alertId, location: { ...example.location, zone }, zones: [zone] },
});

describe("buzzville tail", () => {
  it("prints the events that match its type and zone as they pass, then cleans up", async () => {
    const tail = io();
    const abort = new AbortController();
    const running = main(
      [...h.target, "--type", "WeatherAlertIssued", "--zone", "z3", "--max", "2"],
      { ...tail, signal: abort.signal },
    );
    await waitFor("the tail's rule", () => tail.err().includes("Ctrl-C stops"));
    const publisher = new CityEventPublisher({
      busName: h.resources.bus.name,
      producerId: "tail-test",
      client: h.events,
    });
    const [first] = await publisher.publish([alert("z3", "wx-tail-1")]);
    const [other] = await publisher.publish([alert("z5", "wx-tail-2")]);
    const [second] = await publisher.publish([alert("z3", "wx-tail-3")]);
    expect(await running).toBe(0);
    const lines = tail.out().trim().split("\n");
    expect(lines).toHaveLength(2);
    const printed = lines.join("\n");
    expect(printed).toContain(first?.detail.meta.eventId);
    expect(printed).toContain(second?.detail.meta.eventId);
    expect(printed).not.toContain(other?.detail.meta.eventId);
    expect(lines[0]).toContain("WeatherAlertIssued  z3");
    const rules = await h.events.send(new ListRulesCommand({ EventBusName: h.resources.bus.name }));
    expect(
      (rules.Rules ?? []).map((r) => r.Name).filter((n) => n?.startsWith("buzzville-tail")),
    ).toEqual([]);
    const queues = await h.sqs.send(new ListQueuesCommand({ QueueNamePrefix: "buzzville-tail" }));
    expect(queues.QueueUrls ?? []).toEqual([]);
  });

  it("refuses filters the catalog does not allow, naming what is allowed", async () => {
    for (const [flag, value, allowed] of [
      ["--type", "NoSuchEvent", "docs/EVENTS.md"],
      ["--zone", "harbour", "z1…z8"],
      ["--priority", "urgent", "critical, high, normal, info"],
    ] as const) {
      const tail = io();
      expect(await main([...h.target, flag, value], tail)).toBe(2);
      expect(tail.err()).toContain(allowed);
    }
  });
});
