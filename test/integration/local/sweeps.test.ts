/**
 * Sweep schedules (topology `sweepEveryMinutes`; a scheduled rule on AWS): the local runtime
 * invokes those functions with an empty batch at that rate. The interval is shortened for the
 * test; the rates themselves are compared with the template in deploy-vs-template.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { topology } from "../../../infra/topology.ts";
import { type LocalCloud, startLocalCloud } from "../../../local/cloud.ts";
import { deployTopology } from "../../../local/deploy.ts";
import { type RunningFunctions, startFunctions } from "../../../local/lambda/runtime.ts";
import type { ResourceMap } from "../../../local/resource-map.ts";
import { clientsFor, waitFor } from "./support.ts";

describe("local sweep schedules", () => {
  let cloud: LocalCloud;
  let dir: string;
  let functions: RunningFunctions | undefined;
  let resources: ResourceMap;

  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0 });
    dir = mkdtempSync(join(tmpdir(), "buzzville-sweeps-"));
    resources = await deployTopology({
      endpoint: cloud.endpoint,
      region: cloud.region,
      topology,
    });
  });
  afterAll(async () => {
    await functions?.stop();
    await cloud?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("invokes each swept function with an empty batch, and only those", async () => {
    const track = join(dir, "track.jsonl");
    writeFileSync(track, "");
    const tracker = "test/integration/local/fixtures/tracker.ts";
    functions = startFunctions({
      resources,
      sqs: clientsFor(cloud.endpoint).sqs,
      sweepIntervalMs: 100,
      entries: Object.fromEntries(topology.functions.map((f) => [f.id, tracker])),
      extraEnv: { TRACK_FILE: track },
    });
    const swept = topology.functions.filter((f) => f.sweepEveryMinutes !== undefined);
    expect(functions.sweeps.map((s) => s.function).sort()).toEqual(
      swept.map((f) => `${f.id}Function`).sort(),
    );
    const running = functions;
    const names = new Set(
      running.sweeps.map((sw) => resources.functions[sw.function]?.name ?? sw.function),
    );
    const starts = await waitFor("every swept function invoked", () => {
      const lines = readFileSync(track, "utf8").trim().split("\n").filter(Boolean);
      const parsed = lines
        .map((l) => JSON.parse(l) as { ev: string; fn: string; bodies: string[] })
        .filter((l) => l.ev === "start");
      return [...names].every((n) => parsed.some((l) => l.fn === n)) ? parsed : undefined;
    });
    for (const s of starts) {
      expect(names.has(s.fn), s.fn).toBe(true);
      expect(s.bodies).toEqual([]);
    }
    // Functions without a schedule were not invoked (no traffic was sent).
    for (const [id, h] of running.hosts) {
      if (!running.sweeps.some((s) => s.function === id)) expect(h.stats.invocations, id).toBe(0);
    }
  }, 60_000);

  it("never lets a sweep timer keep the process alive, and clears every one on stop", async () => {
    // Spies, not mocks: the real timers run. A distinctive interval singles out the sweep timers.
    const interval = 3_600_017;
    const setSpy = vi.spyOn(globalThis, "setInterval");
    const clearSpy = vi.spyOn(globalThis, "clearInterval");
    try {
      const running = startFunctions({
        resources,
        sqs: clientsFor(cloud.endpoint).sqs,
        sweepIntervalMs: interval,
      });
      const timers = setSpy.mock.calls.flatMap((call, i) =>
        call[1] === interval ? [setSpy.mock.results[i]?.value as NodeJS.Timeout] : [],
      );
      expect(timers).toHaveLength(running.sweeps.length);
      expect(timers.length).toBeGreaterThan(0);
      // Unreferenced from the start: a running city never blocks the process from exiting.
      for (const t of timers) expect(t.hasRef()).toBe(false);
      await running.stop();
      const cleared = new Set(clearSpy.mock.calls.map((call) => call[0]));
      for (const t of timers) expect(cleared.has(t)).toBe(true);
    } finally {
      setSpy.mockRestore();
      clearSpy.mockRestore();
    }
  }, 60_000);
});
