/**
 * `runUp` in process: the built-in traffic source, and the loss accounting on a real loss. Neither
 * is about the operators' console or the pools' sizes: each run boots without the console and
 * with one environment per pool (less to boot and warm; up-cli.test.ts runs the defaults).
 */
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { describe, expect, it } from "vitest";
import { runUp } from "../../../local/up/run.ts";
import { builtInTraffic } from "../../../local/up/traffic.ts";

describe("buzzville up in process", () => {
  it("publishes catalog examples through the project's publisher and accounts for every one", async () => {
    let out = "";
    const summary = await runUp({
      port: 0,
      durationSeconds: 2,
      rate: 5,
      seed: 7,
      json: true,
      traffic: builtInTraffic,
      drainTimeoutSeconds: 120,
      console: false,
      maxInstancesPerFunction: 1,
      out: (t) => {
        out += t;
      },
      err: () => {},
    });
    expect(summary.trafficSource).toBe("built-in");
    expect(summary.published).toBeGreaterThanOrEqual(5);
    expect(summary.failedPublishes).toBe(0);
    expect(summary.lost).toBe(0);
    expect(summary.drained).toBe(true);
    expect(summary.stored).toBeGreaterThanOrEqual(summary.published);
    expect(JSON.parse(out.trim())).toEqual(JSON.parse(JSON.stringify(summary)));
  }, 240_000);

  it("counts an accepted event that reached neither the store, a queue nor a DLQ as lost", async () => {
    const summary = await runUp({
      port: 0,
      durationSeconds: 1,
      json: true,
      drainTimeoutSeconds: 120,
      console: false,
      maxInstancesPerFunction: 1,
      out: () => {},
      err: () => {},
      traffic: {
        kind: "built-in",
        async run({ client, busName }) {
          // Accepted by the bus, but no rule of the city matches a foreign source.
          const out = await client.send(
            new PutEventsCommand({
              Entries: [
                {
                  EventBusName: busName,
                  Source: "acme.elsewhere",
                  DetailType: "Nothing",
                  Detail: JSON.stringify({ meta: { eventId: "01JLOST0000000000000000000" } }),
                },
              ],
            }),
          );
          expect(out.FailedEntryCount).toBe(0);
          return { heldBack: 0 };
        },
      },
    });
    expect(summary.published).toBe(1);
    expect(summary.lost).toBe(1);
  }, 240_000);
});
