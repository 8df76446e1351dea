/**
 * Vitest global setup: every bundle the local cloud runs — each function of the topology and the
 * cloud's own thread entries (local/bundles.ts) — built once, before the test files start. On a
 * fresh clone the cache is empty, and every test file booting a city at the same time would
 * otherwise build the same bundles in parallel, each paying for esbuild on the shared cores.
 */
import { topology } from "../../infra/topology.ts";
import { BundleCache, threadBundle } from "../../local/bundles.ts";

/** The local cloud's own thread entries (local/lambda/host.ts, local/backends/dynalite.ts). */
const THREAD_ENTRIES = ["../../local/lambda/worker.ts", "../../local/backends/dynalite-thread.ts"];

export default async function setup(): Promise<void> {
  const functions = new BundleCache();
  await Promise.all([
    ...THREAD_ENTRIES.map((entry) => threadBundle(new URL(entry, import.meta.url))),
    ...topology.functions.map((fn) => functions.bundle(fn.entry)),
  ]);
}
