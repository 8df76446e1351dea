/**
 * Crisis mode inside `buzzville up` (docs/OPERATIONS.md, "Crisis mode"): the run's monitor feeds
 * the same controller the stack's alarm does; an operator's `buzzville crisis on` during the run
 * sheds the info subscriptions, the producers see the backpressure signal, and the run's summary
 * reports the transition and what was shed. Nothing is lost meanwhile.
 */
import { describe, expect, it } from "vitest";
import { main as crisis } from "../../../bin/ops/crisis.ts";
import { runUp } from "../../../local/up/run.ts";
import { builtInTraffic, type TrafficSource } from "../../../local/up/traffic.ts";
import { waitFor } from "../../support/wait.ts";
import { capture } from "../ops/support.ts";

describe("crisis mode in a local run", () => {
  it("sheds the info subscriptions when an operator pins crisis, and the summary says so", async () => {
    let status = "";
    let sawBackpressure = false;
    const traffic: TrafficSource = {
      kind: "built-in",
      async run(options) {
        await builtInTraffic.run({ ...options, durationSeconds: 1 });
        const endpoint = /local cloud on (http:\/\/\S+) /.exec(status)?.[1];
        if (!endpoint) throw new Error(`no endpoint in the run's status: ${status}`);
        const on = await capture(crisis, ["on", "--endpoint", endpoint, "--json"]);
        expect(on.code, on.err).toBe(0);
        // the run's monitor picks the pinned mode up and tells the producers to slow down
        await waitFor("the producers told to slow down", () => options.slowDown?.() === true);
        sawBackpressure = true;
        const state = await capture(crisis, ["status", "--endpoint", endpoint, "--json"]);
        expect(JSON.parse(state.out)).toMatchObject({ mode: "crisis" });
        return { heldBack: 0 };
      },
    };
    const summary = await runUp({
      port: 0,
      json: true,
      traffic,
      drainTimeoutSeconds: 120,
      // Not about the console or the pools' sizes: less to boot and warm.
      console: false,
      maxInstancesPerFunction: 1,
      out: () => {},
      err: (t) => {
        status += t;
      },
    });
    expect(sawBackpressure).toBe(true);
    expect(summary.crisis?.transitions).toBeGreaterThanOrEqual(1);
    expect([...(summary.crisis?.shedSubscriptions ?? [])].sort()).toEqual(["Analytics", "Media"]);
    expect(summary.lost).toBe(0);
    expect(summary.published).toBeGreaterThan(0);
  }, 240_000);
});
