/** `buzzville up` / `npm start` as a user runs it: a child process, real ports, real resources. */
import { type ChildProcess, spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { run } from "../../../bin/cli.ts";
import { waitFor } from "./support.ts";

function start(args: string[]): {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<number>;
} {
  const child = spawn(process.execPath, ["bin/buzzville.mjs", ...args], {
    cwd: process.cwd(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exit = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
  return { child, out: () => out, err: () => err, exit };
}

describe("buzzville up", () => {
  it("--duration --json runs the city, drains, and prints one JSON summary with nothing lost", async () => {
    const up = start([
      "up",
      "--duration",
      "4",
      "--json",
      "--port",
      "0",
      "--rate",
      "5",
      "--drain-timeout",
      "120",
    ]);
    const code = await up.exit;
    expect(code, up.err()).toBe(0);
    const lines = up.out().trim().split("\n");
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0] ?? "{}");
    expect(Object.keys(summary)).toEqual(
      expect.arrayContaining([
        "published",
        "stored",
        "deliveredByConsumer",
        "inFlight",
        "dlq",
        "lost",
        "orderViolations",
        "latencyMs",
      ]),
    );
    expect(summary.published).toBeGreaterThan(0);
    expect(summary.lost).toBe(0);
    expect(summary.stored).toBeGreaterThanOrEqual(summary.published);
    expect(summary.inFlight).toBe(0);
    expect(summary.deliveredByConsumer.EventStore).toBeGreaterThanOrEqual(summary.published);
    expect(summary.drained).toBe(true);
    expect(summary.latencyMs.p99).toBeGreaterThanOrEqual(summary.latencyMs.p50);
  }, 240_000);

  it("stops cleanly on SIGINT with a summary and exit code 0", async () => {
    // One environment per pool: the boot is what this waits for (on two cores starved by a CPU
    // hog and other cities, 14 cold starts took over a minute); SIGINT handling is the same.
    const up = start(["up", "--port", "0", "--rate", "5", "--max-instances", "1"]);
    await waitFor(
      () =>
        `the city to be up and publishing (stdout: ${up.out().slice(-1500)}; stderr: ${up.err().slice(-1500)})`,
      () => /published [1-9]/.test(up.out()),
      { timeoutMs: 180_000 },
    );
    up.child.kill("SIGINT");
    expect(await up.exit, up.err()).toBe(0);
    expect(up.err()).toContain("SIGINT: stopping cleanly");
    expect(up.out()).toMatch(/published \d+, stored \d+, lost 0/);
  }, 240_000);

  it("rejects an unknown flag, naming it and the allowed ones", async () => {
    let err = "";
    const code = await run(["up", "--durration", "5"], {
      stdout: { write: () => true },
      stderr: {
        write: (t: string) => {
          err += t;
          return true;
        },
      },
    });
    expect(code).toBe(2);
    expect(err).toContain("--durration");
    expect(err).toContain("Allowed flags: --port, --host, --data-dir, --help, --duration, --json");
  });

  it("rejects an unknown --scenario before booting anything, listing the scenarios", async () => {
    let err = "";
    let out = "";
    const code = await run(["up", "--scenario", "bogus", "--port", "0", "--duration", "1"], {
      stdout: {
        write: (t: string) => {
          out += t;
          return true;
        },
      },
      stderr: {
        write: (t: string) => {
          err += t;
          return true;
        },
      },
    });
    expect(code).toBe(2);
    expect(err).toContain('--scenario "bogus" is not a simulator scenario; allowed: normal-day');
    expect(err).toContain("chaos");
    // Nothing booted: no cloud banner, no summary.
    expect(out + err).not.toContain("Buzz Ville local cloud on");
  });

  it("rejects --json without --duration and a malformed --duration", async () => {
    const errors: string[] = [];
    const io = { stdout: { write: () => true }, stderr: { write: (t: string) => errors.push(t) } };
    expect(await run(["up", "--json"], io)).toBe(2);
    expect(await run(["up", "--duration", "soon"], io)).toBe(2);
    expect(await run(["launch"], io)).toBe(2);
    expect(errors.join("")).toContain("--json needs --duration SECONDS");
    expect(errors.join("")).toContain('--duration must be a number > 0, got "soon"');
    expect(errors.join("")).toContain(
      'unknown command "launch"; allowed: up, local, simulate, help',
    );
  });
});
