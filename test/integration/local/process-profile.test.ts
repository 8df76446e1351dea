/**
 * The small-memory profile (bin/process-profile.mjs, docs/LOCAL.md "Memory profile"), chosen with
 * BUZZVILLE_MEMORY_PROFILE=small: a command that runs the city replaces its process once (execve:
 * same pid, arguments and stdio) with glibc's malloc arenas capped and the host thread's young
 * generation bounded, leaves the other threads' own limits alone, and never overrides what the
 * user set.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { PROFILE_FLAGS } from "../../../bin/process-profile.mjs";

const PROBE = "test/integration/local/fixtures/profile-probe.mjs";

interface Probed {
  readonly pid: number;
  readonly execArgv: string[];
  readonly arenas: string | null;
  readonly args: string[];
  readonly threadNewSpaceMb: number;
}

/** Runs the probe with `flags` and `env` over this process' environment; its pid and report. */
async function probe(flags: string[], env: Record<string, string | undefined>) {
  const childEnv = {
    ...process.env,
    BUZZVILLE_PROCESS_PROFILE: undefined,
    BUZZVILLE_MEMORY_PROFILE: "small",
    ...env,
  };
  const child = spawn(process.execPath, [...flags, PROBE, "a", "--b"], { env: childEnv });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  let err = "";
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const [code] = (await once(child, "close")) as [number | null];
  return { pid: child.pid, code, err, seen: code === 0 ? (JSON.parse(out) as Probed) : undefined };
}

describe.runIf(process.platform === "linux")("the small-memory profile", () => {
  it("is off unless chosen: the process runs as started", async () => {
    const { seen } = await probe([], { BUZZVILLE_MEMORY_PROFILE: undefined, NODE_OPTIONS: "" });
    expect(seen?.execArgv).toEqual([]);
    expect(seen?.arenas).toBe(process.env.MALLOC_ARENA_MAX ?? null);
  });

  it("refuses an unknown choice with exit code 2, naming what is allowed", async () => {
    const { code, err } = await probe([], { BUZZVILLE_MEMORY_PROFILE: "tiny" });
    expect(code).toBe(2);
    expect(err).toContain('BUZZVILLE_MEMORY_PROFILE must be "small"');
  });

  it("relaunches the same process (pid, arguments) with the flags and 2 malloc arenas", async () => {
    const { pid, seen } = await probe([], { MALLOC_ARENA_MAX: undefined, NODE_OPTIONS: "" });
    expect(seen?.pid).toBe(pid);
    expect(seen?.args).toEqual(["a", "--b"]);
    expect(seen?.arenas).toBe("2");
    expect(seen?.execArgv).toEqual(PROFILE_FLAGS);
  });

  it("sizes only the host thread's young generation: a later thread keeps its own limit", async () => {
    const { seen } = await probe([], { NODE_OPTIONS: "" });
    // The thread's own 3 MB young generation (1 MB semi-spaces), not the host's 8 MB semi-spaces.
    expect(seen?.threadNewSpaceMb).toBeLessThanOrEqual(2);
  });

  it("keeps what the user set: their arenas, their flag of the same name, and nothing twice", async () => {
    const { seen } = await probe(["--heap-growing-percent=50"], {
      MALLOC_ARENA_MAX: "4",
      NODE_OPTIONS: "--max-semi-space-size=16",
    });
    expect(seen?.arenas).toBe("4");
    expect(seen?.execArgv).toEqual(["--heap-growing-percent=50"]);
  });
});
