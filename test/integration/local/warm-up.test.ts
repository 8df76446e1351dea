/**
 * The warm-up phase: before any traffic, every function of the deployed topology is bundled once
 * for the run (pools sharing a function share its bundle) and gets the environments its pollers
 * can keep busy, loaded and idle — so the first events meet no cold start.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { topology } from "../../../infra/topology.ts";
import { type LocalCloud, startLocalCloud } from "../../../local/cloud.ts";
import { deployTopology } from "../../../local/deploy.ts";
import { type RunningFunctions, startFunctions } from "../../../local/lambda/runtime.ts";

describe("warm-up before traffic", () => {
  let cloud: LocalCloud;
  let functions: RunningFunctions | undefined;

  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0 });
  });
  afterAll(async () => {
    await functions?.stop();
    await cloud?.stop();
  });

  it("bundles each function once and loads its expected environments, invoking nothing", async () => {
    const resources = await deployTopology({
      endpoint: cloud.endpoint,
      region: cloud.region,
      topology,
    });
    functions = startFunctions({
      resources,
      sqs: cloud.sqs,
      maxInstancesPerFunction: 2,
    });
    expect(await functions.warm()).toEqual([]);

    const entries = new Set(Object.values(resources.functions).map((f) => f.entry));
    expect(functions.hosts.size).toBeGreaterThan(entries.size); // a reserved pool shares a bundle
    const { built, reused } = functions.bundles.stats;
    expect(built + reused).toBe(entries.size);
    const sources = new Set(resources.eventSources.map((es) => es.function));
    for (const [key, host] of functions.hosts) {
      const polled = key.includes("/") || sources.has(key);
      // Every polled pool has at least 2 pollers (maximumConcurrency >= 2), capped at 2 here.
      expect({ key, started: host.stats.coldStarts }).toEqual({ key, started: polled ? 2 : 1 });
      // Loaded, not just started: the pollers start environments before warm-up is asked for,
      // and warm() waits for those too.
      expect({ key, loaded: host.stats.loaded }).toEqual({ key, loaded: host.stats.coldStarts });
      expect(host.stats).toMatchObject({ invocations: 0, crashes: 0 });
    }
  }, 120_000);
});
