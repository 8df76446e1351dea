/** `buzzville local --functions` serves the console beside the cloud, and stops it with the cloud. */
import { describe, expect, it } from "vitest";
import { expectedResources, isDlq } from "../../../infra/resources.ts";
import { topology } from "../../../infra/topology.ts";
import { runLocal } from "../../../local/up/local-command.ts";
import { waitFor } from "../../support/wait.ts";

describe("buzzville local --functions", () => {
  it("prints the console's URL, serves it live, and stops it when aborted", async () => {
    let out = "";
    const stop = new AbortController();
    const running = runLocal({
      port: 0,
      functions: true,
      console: { port: 0 },
      signal: stop.signal,
      out: (t) => {
        out += t;
      },
      err: () => {},
    });
    const url = await waitFor(
      "the console's URL",
      () => /Operators' console: (http:\/\/\S+)/.exec(out)?.[1],
      { timeoutMs: 60_000 },
    );
    const layout = (await (await fetch(new URL("console/layout", url))).json()) as {
      intersections: unknown[];
    };
    expect(layout.intersections).toHaveLength(48);
    const queues = (
      (await (await fetch(new URL("console/dlqs", url))).json()) as {
        queues: { depth: number }[];
      }
    ).queues;
    const dlqs = expectedResources(topology).queues.filter(isDlq);
    expect(queues).toHaveLength(dlqs.length);
    expect(queues.every((q) => q.depth === 0)).toBe(true);
    stop.abort();
    await running;
    await expect(fetch(url)).rejects.toThrow();
  }, 90_000);
});
