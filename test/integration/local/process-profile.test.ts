/**
 * The memory profile (bin/process-profile.mjs, docs/LOCAL.md "Memory profile"),
 * BUZZVILLE_MEMORY_PROFILE (`default` when unset): a command that runs the city replaces its
 * process once (execve: same pid, arguments and stdio) with glibc's malloc arenas capped and the
 * host thread's young generation bounded, leaves the other threads' own limits alone, and never
 * overrides what the user set; `node` runs it as started.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { PROFILES } from "../../../bin/process-profile.mjs";

const PROBE = "test/integration/local/fixtures/profile-probe.mjs";

interface Probed {
  readonly pid: number;
  readonly execArgv: string[];
  readonly arenas: string | null;
  readonly mmapThreshold: string | null;
  readonly args: string[];
  readonly threadNewSpaceMb: number;
  /** The mark the relaunch set, as the running process sees it (removed once applied). */
  readonly mark: string | null;
}

/** Runs Node with `args` and `env` over this process' environment; its pid, code and output. */
async function node(args: string[], env: Record<string, string | undefined>) {
  const childEnv = {
    ...process.env,
    BUZZVILLE_PROCESS_PROFILE: undefined,
    BUZZVILLE_MEMORY_PROFILE: undefined,
    ...env,
  };
  const child = spawn(process.execPath, args, { env: childEnv });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  let err = "";
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const [code] = (await once(child, "close")) as [number | null];
  return { pid: child.pid, code, out, err };
}

/** Runs the probe with `flags` and `env`; its pid and report. */
async function probe(flags: string[], env: Record<string, string | undefined>) {
  const { pid, code, out, err } = await node([...flags, PROBE, "a", "--b"], env);
  return { pid, code, err, seen: code === 0 ? (JSON.parse(out) as Probed) : undefined };
}

describe.runIf(process.platform === "linux")("the memory profile", () => {
  it("on `node`, the process runs as started", async () => {
    const { seen } = await probe([], { BUZZVILLE_MEMORY_PROFILE: "node", NODE_OPTIONS: "" });
    expect(seen?.execArgv).toEqual([]);
    expect(seen?.arenas).toBe(process.env.MALLOC_ARENA_MAX ?? null);
  });

  it("refuses an unknown choice with exit code 2, naming what is allowed", async () => {
    const { code, err } = await probe([], { BUZZVILLE_MEMORY_PROFILE: "tiny" });
    expect(code).toBe(2);
    expect(err).toContain('BUZZVILLE_MEMORY_PROFILE must be "default"');
    expect(err).toContain('got "tiny"');
  });

  it("by default relaunches the same process (pid, arguments) with its flags and malloc settings", async () => {
    const { pid, seen } = await probe([], {
      MALLOC_ARENA_MAX: undefined,
      MALLOC_MMAP_THRESHOLD_: undefined,
      NODE_OPTIONS: "",
    });
    expect(seen?.pid).toBe(pid);
    expect(seen?.args).toEqual(["a", "--b"]);
    expect(seen?.arenas).toBe("2");
    expect(seen?.mmapThreshold).toBe("131072");
    expect(seen?.execArgv).toEqual(PROFILES.default);
    // Applied once and unmarked: a city command it starts applies its own profile.
    expect(seen?.mark).toBeNull();
  });

  it("relaunches with the small profile's flags when chosen", async () => {
    const { seen } = await probe([], { BUZZVILLE_MEMORY_PROFILE: "small", NODE_OPTIONS: "" });
    expect(seen?.execArgv).toEqual(PROFILES.small);
  });

  for (const profile of ["default", "small"]) {
    it(`${profile}: sizes only the host thread's young generation, a later thread keeps its own`, async () => {
      const { seen } = await probe([], { BUZZVILLE_MEMORY_PROFILE: profile, NODE_OPTIONS: "" });
      // The thread's own 3 MB young generation (1 MB semi-spaces), not the host's 8-16 MB ones.
      expect(seen?.threadNewSpaceMb).toBeLessThanOrEqual(2);
    });
  }

  it("keeps what the user set: their arenas, their flag of the same name, and nothing twice", async () => {
    const { seen } = await probe(["--heap-growing-percent=50"], {
      BUZZVILLE_MEMORY_PROFILE: "small",
      MALLOC_ARENA_MAX: "4",
      NODE_OPTIONS: "--max-semi-space-size=16",
    });
    expect(seen?.arenas).toBe("4");
    expect(seen?.execArgv).toEqual(["--heap-growing-percent=50"]);
  });

  it("applies to the commands that run the city: `up` checks it, `help` runs no city", async () => {
    const run = (args: string[]) =>
      node(["bin/buzzville.mjs", ...args], { BUZZVILLE_MEMORY_PROFILE: "tiny" });
    const up = await run(["up", "--help"]);
    expect(up.code).toBe(2);
    expect(up.err).toContain('got "tiny"');
    expect((await run(["help"])).code).toBe(0);
  });
});
