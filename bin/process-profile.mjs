// The small-memory profile (docs/LOCAL.md "Memory profile"), opt-in with
// BUZZVILLE_MEMORY_PROFILE=small. The local city is one process of a dozen threads (the host, the
// DynamoDB thread, one per execution environment), each with its own V8 heap:
// - glibc gives each thread a malloc arena of its own, up to 8 per core, and keeps what was freed
//   in each: MALLOC_ARENA_MAX=2;
// - V8 sizes the host's young generation from the machine's memory (its new space grew to 134 MB
//   under load on 24 GB): 8 MB semi-spaces for the host thread only, the other threads keep
//   their own limits (Worker resourceLimits);
// - old generations grow in steps of 20 % rather than V8's default factor.
// At 200 events/s the bench's process held 531-547 MB on it against 720-780 MB without it, but
// its 400 events/s step held 400 events/s in 1 of 5 runs, the defaults' in 7 of 8: off by
// default (docs/BENCHMARKS.md "Memory profile").
// All must be set before the process starts, so a command that runs the city replaces its process
// once with them (same pid, stdio and signals: execve), before it loads anything else. A value the
// user gave wins: MALLOC_ARENA_MAX from the environment, V8 flags from NODE_OPTIONS or the command
// line. Not on Node builds without process.execve (before 22.15), nor off Linux.

import { setFlagsFromString } from "node:v8";

const MARK = "BUZZVILLE_PROCESS_PROFILE";
const CHOICE = "BUZZVILLE_MEMORY_PROFILE";

/** The host thread's young generation: semi-spaces of this many MB. */
const HOST_SEMI_SPACE = "--max-semi-space-size=8";

/** The V8 flags of the profile, each kept only where the user set none of its name. */
export const PROFILE_FLAGS = [HOST_SEMI_SPACE, "--heap-growing-percent=20"];

/**
 * The command line and environment the profile relaunches with, or undefined: run as is (the
 * profile not chosen, already applied, or off Linux). Throws on a value it does not know.
 */
export function profiledLaunch(
  env = process.env,
  execArgv = process.execArgv,
  platform = process.platform,
) {
  const chosen = env[CHOICE];
  if (chosen !== undefined && chosen !== "" && chosen !== "small" && chosen !== "default") {
    throw new Error(
      `${CHOICE} must be "small" (less memory, less throughput) or "default", got ${JSON.stringify(chosen)}`,
    );
  }
  if (chosen !== "small" || env[MARK] === "1" || platform !== "linux") return undefined;
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? "").split(/\s+/)];
  const named = (flag) => flag.split("=", 1)[0];
  const flags = PROFILE_FLAGS.filter((f) => !given.some((g) => named(g) === named(f)));
  return {
    flags,
    env: { ...env, [MARK]: "1", MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? "2" },
  };
}

/**
 * Replaces this process with itself on the profile where chosen (else returns; on a value it does
 * not know, says so on stderr and exits 2). In the relaunched process the semi-space flag is then
 * unset: V8 read it for this (the host) thread when it started, and unset it lets each later
 * thread take its own young generation (Worker `resourceLimits`: the environments' and the
 * DynamoDB thread's 8 MB), which a set flag would override.
 */
export function relaunchWithProfile() {
  if (process.env[MARK] === "1" && process.execArgv.includes(HOST_SEMI_SPACE)) {
    setFlagsFromString("--max-semi-space-size=0");
    return;
  }
  let launch;
  try {
    launch = profiledLaunch();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  if (!launch || typeof process.execve !== "function") return;
  const argv = [...launch.flags, ...process.execArgv, ...process.argv.slice(1)];
  process.execve(process.execPath, [process.execPath, ...argv], launch.env);
}
