/**
 * How `buzzville up` starts and fails, as a user meets it: a child process. A taken port is a
 * clear error and exit code 1 at once (nothing left running keeps the process alive), and the
 * `up` command never loads the X-Ray SDK (async hooks) into the local cloud's main thread.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "./support.ts";

interface Child {
  readonly out: () => string;
  readonly err: () => string;
  /** The exit code once the process has exited by itself, else undefined. */
  readonly code: () => number | undefined;
  readonly child: ChildProcess;
}

function launch(args: string[]): Child {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  let code: number | undefined;
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  child.on("exit", (c, signal) => {
    code = c ?? (signal ? -1 : 0);
  });
  return { child, out: () => out, err: () => err, code: () => code };
}

/** Waits (bounded) until the child exits by itself; kills it and fails when it does not. */
async function exitOf(c: Child, what: string): Promise<number> {
  try {
    return await waitFor(what, () => c.code() !== undefined && (c.code() as number), {
      timeoutMs: 45_000,
    }).catch(async (error: unknown) => {
      if (c.code() !== undefined) return c.code() as number;
      throw error;
    });
  } finally {
    if (c.code() === undefined) c.child.kill("SIGKILL");
  }
}

describe("buzzville up on a taken port", () => {
  let blocker: Server;
  let port: number;

  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const address = blocker.address();
    port = typeof address === "object" && address ? address.port : 0;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });

  it("prints a clear error naming the port and exits 1 at once", async () => {
    const up = launch(["bin/buzzville.mjs", "up", "--port", String(port)]);
    expect(await exitOf(up, "buzzville up to exit"), up.err()).toBe(1);
    expect(up.err()).toContain(`The local cloud cannot listen on 127.0.0.1:${port}`);
    expect(up.err()).toContain("pick another --port");
    expect(up.out()).toBe("");
  });

  it("leaves nothing running: the process ends by itself, without the X-Ray SDK loaded", async () => {
    const probe = launch([
      "--import",
      "tsx/esm",
      "test/integration/local/fixtures/cli-probe.ts",
      "up",
      "--port",
      String(port),
    ]);
    expect(await exitOf(probe, "the probe to end by itself"), probe.err()).toBe(1);
    expect(JSON.parse(probe.out())).toEqual({ code: 1, xray: false });
  });

  it("the probe sees the X-Ray SDK when Powertools Tracer is loaded (control)", async () => {
    const probe = launch([
      "--import",
      "tsx/esm",
      "test/integration/local/fixtures/cli-probe.ts",
      "--control",
      "help",
    ]);
    expect(await exitOf(probe, "the control probe to end"), probe.err()).toBe(0);
    expect(JSON.parse(probe.out().split("\n").filter(Boolean).at(-1) ?? "{}")).toEqual({
      code: 0,
      xray: true,
    });
  });
});
