/** The warm-up phase of `buzzville up` and `buzzville local --functions` (docs/LOCAL.md). */
import type { RunningFunctions } from "../lambda/runtime.ts";

/**
 * The warm-up phase: every function bundled (or taken from the cache) and its expected
 * environments loaded before the first event is published, so traffic meets no cold start.
 */
export async function warmFunctions(
  functions: RunningFunctions,
  status: (text: string) => void,
  err: (text: string) => void,
): Promise<void> {
  const began = Date.now();
  const failures = await functions.warm();
  for (const failure of failures) {
    err(
      `warning: function ${failure.name} failed to load (its messages will go to its DLQ): ${failure.error}\n`,
    );
  }
  const hosts = [...functions.hosts.values()];
  const environments = hosts.reduce((n, h) => n + h.stats.coldStarts, 0);
  const cpuMs = hosts.reduce((n, h) => n + h.stats.coldStartCpuMs, 0);
  const { built, reused } = functions.bundles.stats;
  status(
    `functions warm: ${environments} environments of ${hosts.length} pools in ${((Date.now() - began) / 1000).toFixed(1)} s (bundles: ${built} built, ${reused} from the cache${cpuMs > 0 ? `; ${Math.round(cpuMs / Math.max(1, environments))} ms CPU per cold start` : ""})\n`,
  );
}
