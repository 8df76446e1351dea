import { describe, expect, it } from "vitest";
import { PROFILE_FLAGS, profiledLaunch } from "../../../bin/process-profile.mjs";

describe('profiledLaunch: the city\'s memory profile (docs/LOCAL.md "Memory profile")', () => {
  it("adds the flags and 2 malloc arenas, and marks the relaunch", () => {
    const launch = profiledLaunch({ PATH: "/bin" }, [], "linux");
    expect(launch?.flags).toEqual(PROFILE_FLAGS);
    expect(launch?.env).toEqual({
      PATH: "/bin",
      MALLOC_ARENA_MAX: "2",
      BUZZVILLE_PROCESS_PROFILE: "1",
    });
  });

  it("relaunches once: the marked process runs as is", () => {
    expect(profiledLaunch({ BUZZVILLE_PROCESS_PROFILE: "1" }, [], "linux")).toBeUndefined();
  });

  it("applies only on Linux (glibc's arenas; execve)", () => {
    expect(profiledLaunch({}, [], "darwin")).toBeUndefined();
    expect(profiledLaunch({}, [], "win32")).toBeUndefined();
  });

  it("keeps the user's flags of the same name, from the command line or NODE_OPTIONS", () => {
    const launch = profiledLaunch(
      { NODE_OPTIONS: "--enable-source-maps  --max-semi-space-size=32", MALLOC_ARENA_MAX: "8" },
      ["--heap-growing-percent=50"],
      "linux",
    );
    expect(launch?.flags).toEqual([]);
    expect(launch?.env.MALLOC_ARENA_MAX).toBe("8");
  });
});
