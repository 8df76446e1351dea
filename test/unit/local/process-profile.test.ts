import { describe, expect, it } from "vitest";
import { PROFILES, profiledLaunch } from "../../../bin/process-profile.mjs";

const SMALL = { BUZZVILLE_MEMORY_PROFILE: "small" };

describe('profiledLaunch: the memory profile (docs/LOCAL.md "Memory profile")', () => {
  it("is `default` when unset or empty: the host's 8 MB semi-spaces, 50 % growth, 2 malloc arenas", () => {
    for (const env of [{ PATH: "/bin" }, { PATH: "/bin", BUZZVILLE_MEMORY_PROFILE: "" }]) {
      const launch = profiledLaunch(env, [], "linux");
      expect(launch?.flags).toEqual(["--max-semi-space-size=8", "--heap-growing-percent=50"]);
      expect(launch?.env).toEqual({
        ...env,
        MALLOC_ARENA_MAX: "2",
        MALLOC_MMAP_THRESHOLD_: "131072",
        BUZZVILLE_PROCESS_PROFILE: "1",
      });
    }
  });

  it("adds the small profile's flags when chosen", () => {
    const launch = profiledLaunch(SMALL, [], "linux");
    expect(launch?.flags).toEqual(PROFILES.small);
    expect(launch?.flags).toContain("--max-semi-space-size=8");
    expect(launch?.env.MALLOC_ARENA_MAX).toBe("2");
  });

  it("runs as is on `node` (Node's and glibc's own sizes)", () => {
    expect(profiledLaunch({ BUZZVILLE_MEMORY_PROFILE: "node" }, [], "linux")).toBeUndefined();
  });

  it("names what is allowed when the choice is unknown", () => {
    expect(() => profiledLaunch({ BUZZVILLE_MEMORY_PROFILE: "tiny" }, [], "linux")).toThrow(
      `BUZZVILLE_MEMORY_PROFILE must be "default" (the city's sizes), "small" (less memory, less throughput) or "node" (Node's own sizes), got "tiny"`,
    );
    // Not an Object.prototype name either.
    expect(() => profiledLaunch({ BUZZVILLE_MEMORY_PROFILE: "toString" }, [], "linux")).toThrow(
      'got "toString"',
    );
  });

  it("relaunches once: the marked process runs as is", () => {
    expect(profiledLaunch({ BUZZVILLE_PROCESS_PROFILE: "1" }, [], "linux")).toBeUndefined();
    expect(
      profiledLaunch({ ...SMALL, BUZZVILLE_PROCESS_PROFILE: "1" }, [], "linux"),
    ).toBeUndefined();
  });

  it("applies only on Linux (glibc's arenas; execve)", () => {
    expect(profiledLaunch(SMALL, [], "darwin")).toBeUndefined();
    expect(profiledLaunch({}, [], "win32")).toBeUndefined();
  });

  it("keeps the user's flags of the same name, from the command line or NODE_OPTIONS", () => {
    const launch = profiledLaunch(
      {
        ...SMALL,
        NODE_OPTIONS: "--enable-source-maps  --max-semi-space-size=32",
        MALLOC_ARENA_MAX: "8",
        MALLOC_MMAP_THRESHOLD_: "65536",
      },
      ["--heap-growing-percent=50"],
      "linux",
    );
    expect(launch?.flags).toEqual([]);
    expect(launch?.env.MALLOC_ARENA_MAX).toBe("8");
    expect(launch?.env.MALLOC_MMAP_THRESHOLD_).toBe("65536");
    // Set but empty is the user's too.
    expect(profiledLaunch({ MALLOC_ARENA_MAX: "" }, [], "linux")?.env.MALLOC_ARENA_MAX).toBe("");
  });
});
