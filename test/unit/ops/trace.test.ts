/** `buzzville trace`: its usage errors, where it reads, and X-Ray's filter expression. */
import { describe, expect, it } from "vitest";
import { main } from "../../../bin/ops/trace.ts";
import { xrayFilter } from "../../../bin/ops/xray.ts";

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
      env,
    },
  };
}

describe("buzzville trace", () => {
  it("needs exactly one id, and a URL for --console", async () => {
    const none = io();
    expect(await main([], none.io)).toBe(2);
    expect(none.err.join("")).toContain("expects exactly one event id");
    const bad = io();
    expect(await main(["ev-1", "--console", "not a url"], bad.io)).toBe(2);
    expect(bad.err.join("")).toContain("--console must be a URL");
    const max = io();
    expect(await main(["ev-1", "--all", "--max", "99"], max.io)).toBe(2);
  });

  it("says which console it could not reach", async () => {
    const run = io();
    expect(await main(["ev-1", "--console", "http://127.0.0.1:1/"], run.io)).toBe(1);
    expect(run.err.join("")).toContain("cannot reach the operators' console at http://127.0.0.1:1");
  });

  it("finds X-Ray traces by the annotations the hops and the kit set", () => {
    expect(xrayFilter('ev"1')).toBe(
      'annotation.eventId = "ev\\"1" OR annotation.correlationId = "ev\\"1" OR annotation.incidentId = "ev\\"1"',
    );
  });
});
