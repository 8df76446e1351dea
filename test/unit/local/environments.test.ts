import { once } from "node:events";
import { describe, expect, it } from "vitest";
import {
  environmentExecArgv,
  lazySourceMaps,
  workerWithHostFlags,
} from "../../../local/lambda/environment.ts";
import { defaultEnvironmentsPerFunction } from "../../../local/lambda/runtime.ts";

describe("execution environments' defaults", () => {
  it("keeps one environment per two cores, at least one", () => {
    expect([1, 2, 3, 4, 8].map((cores) => defaultEnvironmentsPerFunction(cores))).toEqual([
      1, 1, 1, 2, 4,
    ]);
  });

  it("starts environments without the host's module preloads and loaders, keeping other flags", () => {
    const host = [
      "--require",
      "/x/tsx/preflight.cjs",
      "--import",
      "file:///x/tsx/loader.mjs",
      "--loader=tsx",
      "-r",
      "./hook.cjs",
      "--cpu-prof",
      "--cpu-prof-dir=/tmp/p",
      "--enable-source-maps",
    ];
    expect(environmentExecArgv(host)).toEqual([
      "--cpu-prof",
      "--cpu-prof-dir=/tmp/p",
      "--enable-source-maps",
    ]);
  });

  it("starts a thread when the host has flags Node refuses in threads (V8's), keeping the others", async () => {
    const execArgv = ["--max-semi-space-size=16", "--enable-source-maps", "--stack-size=2000"];
    const worker = workerWithHostFlags(
      "require('node:worker_threads').parentPort.postMessage(process.execArgv)",
      { eval: true, execArgv },
    );
    const [seen] = await once(worker, "message");
    expect(seen).toEqual(["--enable-source-maps"]);
    await worker.terminate();
  });

  it("starts a function's thread without --enable-source-maps, keeping its other options to restore", () => {
    expect(lazySourceMaps({ A: "1", NODE_OPTIONS: "--enable-source-maps" })).toEqual({
      env: { A: "1" },
      nodeOptions: "--enable-source-maps",
    });
    expect(
      lazySourceMaps({ NODE_OPTIONS: " --max-http-header-size=1  --enable-source-maps" }),
    ).toEqual({
      env: { NODE_OPTIONS: "--max-http-header-size=1" },
      nodeOptions: " --max-http-header-size=1  --enable-source-maps",
    });
    // Without the flag nothing changes, and stacks stay as V8 writes them.
    expect(lazySourceMaps({ NODE_OPTIONS: "--no-warnings" })).toEqual({
      env: { NODE_OPTIONS: "--no-warnings" },
    });
    expect(lazySourceMaps({ A: "1" })).toEqual({ env: { A: "1" } });
  });
});
