import { describe, expect, it } from "vitest";
import { PROFILE_FLAGS, profiledLaunch } from "../../../bin/process-profile.mjs";

const SMALL = { BUZZVILLE_MEMORY_PROFILE: "small" };

describe('profiledLaunch: the small-memory profile (docs/LOCAL.md "Memory profile")', () => {
  it("adds the flags and 2 malloc arenas when chosen, and marks the relaunch", () => {
    const launch = profiledLaunch({ ...SMALL, PATH: "/bin" }, [], "linux");
    expect(launch?.flags).toEqual(PROFILE_FLAGS);
    expect(launch?.env).toEqual({
      ...SMALL,
      PATH: "/bin",
      MALLOC_ARENA_MAX: "2",
      BUZZVILLE_PROCESS_PROFILE: "1",
    });
  });

  it("is off unless chosen: unset, empty or default runs as is", () => {
    expect(profiledLaunch({}, [], "linux")).toBeUndefined();
    expect(profiledLaunch({ BUZZVILLE_MEMORY_PROFILE: "" }, [], "linux")).toBeUndefined();
    expect(profiledLaunch({ BUZZVILLE_MEMORY_PROFILE: "default" }, [], "linux")).toBeUndefined();
  });

  it("names what is allowed when the choice is unknown", () => {
    expect(() => profiledLaunch({ BUZZVILLE_MEMORY_PROFILE: "tiny" }, [], "linux")).toThrow(
      'BUZZVILLE_MEMORY_PROFILE must be "small" (less memory, less throughput) or "default", got "tiny"',
    );
  });

  it("relaunches once: the marked process runs as is", () => {
    expect(
      profiledLaunch({ ...SMALL, BUZZVILLE_PROCESS_PROFILE: "1" }, [], "linux"),
    ).toBeUndefined();
  });

  it("applies only on Linux (glibc's arenas; execve)", () => {
    expect(profiledLaunch(SMALL, [], "darwin")).toBeUndefined();
    expect(profiledLaunch(SMALL, [], "win32")).toBeUndefined();
  });

  it("keeps the user's flags of the same name, from the command line or NODE_OPTIONS", () => {
    const launch = profiledLaunch(
      {
        ...SMALL,
        NODE_OPTIONS: "--enable-source-maps  --max-semi-space-size=32",
        MALLOC_ARENA_MAX: "8",
      },
      ["--heap-growing-percent=50"],
      "linux",
    );
    expect(launch?.flags).toEqual([]);
    expect(launch?.env.MALLOC_ARENA_MAX).toBe("8");
  });
});
