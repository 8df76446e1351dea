// The process's memory profile (docs/LOCAL.md "Memory profile"), BUZZVILLE_MEMORY_PROFILE. The
// local city is one process of a dozen threads (the host, the DynamoDB thread, one per execution
// environment), each with its own V8 heap:
// - glibc gives each thread a malloc arena of its own, up to 8 per core, and keeps what was freed
//   in each: MALLOC_ARENA_MAX=2, and blocks of 128 KB or more mapped on their own
//   (MALLOC_MMAP_THRESHOLD_=131072);
// - V8 sizes the host's young generation from the machine's memory (its new space grew to 128 MB
//   under load on 24 GB): 8 MB semi-spaces for the host thread only; the other threads keep their
//   own limits (Worker resourceLimits);
// - old generations grow in steps of at most 50 % (20 % in `small`) rather than V8's default
//   factor (up to 4x), in every thread.
// At 200 events/s the bench's process held 482-488 MB on `default` (7 runs, 5 of them before the
// mmap threshold; 531 MB in a run whose environments compiled their bundles afresh, 558 before
// the mmap threshold), its 400 events/s step at 400/s in all; 16 MB semi-spaces and V8's growth
// held 557 MB, and --optimize-for-size 407-409 MB at 4.4 ms of CPU per event (docs/BENCHMARKS.md
// "Memory profile"). `small` held 531-547 MB before the environments' savings but reached 400/s
// there in 1 of 5 runs.
// All must be set before the process starts, so a command that runs the city replaces its process
// once with them (same pid, stdio and signals: execve), before it loads anything else. A value the
// user gave wins: MALLOC_ARENA_MAX or MALLOC_MMAP_THRESHOLD_ from the environment (a GLIBC_TUNABLES
// of theirs is passed on as is), V8 flags from NODE_OPTIONS or the command line. Not on Node
// builds without process.execve (before 22.15), nor off Linux.

import { setFlagsFromString } from "node:v8";

const MARK = "BUZZVILLE_PROCESS_PROFILE";
const CHOICE = "BUZZVILLE_MEMORY_PROFILE";

/** The V8 flags of each profile, each kept only where the user set none of its name. */
export const PROFILES = {
  default: ["--max-semi-space-size=8", "--heap-growing-percent=50"],
  small: ["--max-semi-space-size=8", "--heap-growing-percent=20"],
  node: undefined,
};

const ALLOWED =
  '"default" (the city\'s sizes), "small" (less memory, less throughput) or "node" (Node\'s own sizes)';

/**
 * glibc's malloc on `default` and `small`: 2 arenas; and blocks of 128 KB or more always mapped
 * on their own, so freeing one gives it back (glibc otherwise raises that threshold as such blocks
 * are freed, up to 32 MB, and keeps them in the arenas: the environments' first compilation of
 * their bundles left about 50 MB there).
 */
const MALLOC_SETTINGS = { MALLOC_ARENA_MAX: "2", MALLOC_MMAP_THRESHOLD_: "131072" };

/** The malloc settings the user gave, which win. */
const mallocGiven = (env) =>
  Object.fromEntries(
    Object.keys(MALLOC_SETTINGS).flatMap((k) => (env[k] !== undefined ? [[k, env[k]]] : [])),
  );

/**
 * The command line and environment the profile relaunches with, or undefined: run as is (`node`
 * chosen, the profile already applied, or off Linux). Unset or empty is `default`. Throws on a
 * value it does not know.
 */
export function profiledLaunch(
  env = process.env,
  execArgv = process.execArgv,
  platform = process.platform,
) {
  const chosen = env[CHOICE] || "default";
  if (!Object.hasOwn(PROFILES, chosen)) {
    throw new Error(`${CHOICE} must be ${ALLOWED}, got ${JSON.stringify(env[CHOICE])}`);
  }
  const flags = PROFILES[chosen];
  if (!flags || env[MARK] === "1" || platform !== "linux") return undefined;
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? "").split(/\s+/)];
  const named = (flag) => flag.split("=", 1)[0];
  return {
    flags: flags.filter((f) => !given.some((g) => named(g) === named(f))),
    env: { ...env, [MARK]: "1", ...MALLOC_SETTINGS, ...mallocGiven(env) },
  };
}

/** The semi-space flags a profile adds (not the user's own value, unless identical). */
const PROFILE_SEMI_SPACES = Object.values(PROFILES).flatMap((flags) =>
  (flags ?? []).filter((f) => f.startsWith("--max-semi-space-size=")),
);

/**
 * Replaces this process with itself on the profile chosen (else returns; on a value it does not
 * know, says so on stderr and exits 2). In the relaunched process the semi-space flag is then
 * unset: V8 read it for this (the host) thread when it started, and unset it lets each later
 * thread take its own young generation (Worker `resourceLimits`: the environments' and the
 * DynamoDB thread's 4 MB), which a set flag would override. The mark is removed too, so a city
 * command this process starts applies its own profile.
 */
export function relaunchWithProfile() {
  if (process.env[MARK] === "1") {
    delete process.env[MARK];
    if (process.execArgv.some((arg) => PROFILE_SEMI_SPACES.includes(arg))) {
      setFlagsFromString("--max-semi-space-size=0");
    }
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
