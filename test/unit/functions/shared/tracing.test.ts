/**
 * With tracing off the kit must not load the Powertools Tracer: its X-Ray SDK loads cls-hooked,
 * whose process-wide async hook makes every awaited promise dearer. Each case runs one handler
 * invocation in a fresh process (the check is about what a process has loaded).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { tracingWanted } from "../../../../functions/shared/observability.ts";

const PROBE = "test/unit/functions/shared/fixtures/tracing-probe.ts";

async function probe(env: Record<string, string | undefined>) {
  const base = { ...process.env };
  delete base.AWS_EXECUTION_ENV;
  delete base.POWERTOOLS_TRACE_ENABLED;
  delete base.AWS_SAM_LOCAL;
  const { stdout } = await promisify(execFile)("node_modules/.bin/tsx", [PROBE], {
    env: { ...base, POWERTOOLS_LOG_LEVEL: "SILENT", ...env },
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as {
    clsHookedLoaded: boolean;
    xrayNamespace: boolean;
  };
}

// Each case starts a Node process (tsx): a generous budget for a loaded machine.
describe("tracing off: no X-Ray SDK, no async hook", { timeout: 120_000 }, () => {
  it("decides like the Powertools Tracer", () => {
    expect(tracingWanted({})).toBe(false);
    expect(tracingWanted({ AWS_EXECUTION_ENV: "AWS_Lambda_nodejs24.x" })).toBe(true);
    expect(
      tracingWanted({
        AWS_EXECUTION_ENV: "AWS_Lambda_nodejs24.x",
        POWERTOOLS_TRACE_ENABLED: "FALSE",
      }),
    ).toBe(false);
    expect(
      tracingWanted({ AWS_EXECUTION_ENV: "AWS_Lambda_nodejs24.x", AWS_SAM_LOCAL: "true" }),
    ).toBe(false);
    expect(tracingWanted({ AWS_EXECUTION_ENV: "AWS_Lambda_amplify-mock" })).toBe(false);
  });

  it("outside Lambda (local cloud, tests) a handler run leaves cls-hooked unloaded", async () => {
    expect(await probe({})).toEqual({ clsHookedLoaded: false, xrayNamespace: false });
  });

  it("in Lambda with POWERTOOLS_TRACE_ENABLED=false too", async () => {
    expect(
      await probe({
        AWS_EXECUTION_ENV: "AWS_Lambda_nodejs24.x",
        POWERTOOLS_TRACE_ENABLED: "false",
      }),
    ).toEqual({ clsHookedLoaded: false, xrayNamespace: false });
  });

  it("in Lambda with tracing on, the tracer (and its X-Ray context) is there", async () => {
    expect(await probe({ AWS_EXECUTION_ENV: "AWS_Lambda_nodejs24.x" })).toEqual({
      clsHookedLoaded: true,
      xrayNamespace: true,
    });
  });
});
