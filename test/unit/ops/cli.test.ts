import { describe, expect, it } from "vitest";
import { run } from "../../../bin/cli.ts";

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
    },
  };
}

describe("buzzville CLI: operator commands", () => {
  it("lists dlq, replay and stream in the help and the unknown-command error", async () => {
    const a = io();
    expect(await run(["help"], a.io)).toBe(0);
    expect(a.out.join("")).toMatch(/dlq {7}Operate the DLQs/);
    expect(a.out.join("")).toMatch(/replay {4}Replay the bus archive/);
    expect(a.out.join("")).toMatch(/stream {4}Events and state at an instant/);
    const b = io();
    expect(await run(["dlqs"], b.io)).toBe(2);
    expect(b.err.join("")).toContain(
      'unknown command "dlqs"; allowed: up, local, simulate, help, dlq, replay, stream',
    );
  });

  it("routes to each command's own help and usage errors, without touching any endpoint", async () => {
    const help = io();
    expect(await run(["dlq", "--help"], help.io)).toBe(0);
    expect(help.out.join("")).toContain("Usage: buzzville dlq <list|redrive>");

    const sub = io();
    expect(await run(["dlq", "purge"], sub.io)).toBe(2);
    expect(sub.err.join("")).toContain('unknown subcommand "purge"; allowed: list, redrive');

    const replay = io();
    expect(await run(["replay", "--from", "2026-11-23 10:00", "--to", "now"], replay.io)).toBe(2);
    expect(replay.err.join("")).toContain(
      '--from must be an ISO-8601 instant like 2026-11-23T10:00:00Z, got "2026-11-23 10:00"',
    );

    const missing = io();
    expect(await run(["replay", "--to", "now"], missing.io)).toBe(2);
    expect(missing.err.join("")).toContain("--from ISO is required");

    const stream = io();
    expect(await run(["stream", "a#1", "b#2"], stream.io)).toBe(2);
    expect(stream.err.join("")).toContain(
      'expects exactly one stream id like alert#wa-1 or intersection#i-12, got "a#1" "b#2"',
    );

    const listFlags = io();
    expect(await run(["dlq", "list", "--dry-run"], listFlags.io)).toBe(2);
    expect(listFlags.err.join("")).toContain("list: --max and --dry-run belong to redrive");
  });
});

describe("buzzville simulate (through the CLI)", () => {
  it("passes the CLI's output streams to the simulator, which rejects an unknown scenario by name", async () => {
    const a = io();
    expect(await run(["simulate", "--scenario", "meteor", "--bus", "b"], a.io)).toBe(2);
    const err = a.err.join("");
    expect(err).toContain("meteor");
    expect(err).toMatch(/normal-day/);
    expect(err).toMatch(/chaos/);
  });
});
