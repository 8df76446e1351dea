/**
 * The functions run from esbuild bundles built with the deployment's options (infra/bundling.ts),
 * once per run and kept on disk: a later run takes them from the cache, a changed source — even
 * a module the entry only imports — builds them again, and a broken source is an error naming it.
 * Environments keep Node's compile cache of the bundles beside them (a later cold start compiles less).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ESM_REQUIRE_BANNER } from "../../../infra/bundling.ts";
import { BundleCache, BundleError } from "../../../local/bundles.ts";
import { FunctionHost } from "../../../local/lambda/host.ts";
import { waitFor } from "../../support/wait.ts";

describe("function bundles", () => {
  const rootDir = mkdtempSync(join(tmpdir(), "buzzville-bundles-"));
  const cacheDir = join(rootDir, "cache");
  const hosts: FunctionHost[] = [];
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.close()));
    rmSync(rootDir, { recursive: true, force: true });
  });

  const source = (answer: string) => {
    writeFileSync(
      join(rootDir, "answer.ts"),
      `export const answer: string = ${JSON.stringify(answer)};\n`,
    );
    writeFileSync(
      join(rootDir, "handler.ts"),
      'import { answer } from "./answer.ts";\nexport const handler = async (event: { n: number }) => ({ answer, n: event.n });\n',
    );
  };

  /** A run: a fresh cache instance (as each `buzzville up` makes) and a function on it. */
  function run(o: { env?: Record<string, string>; onLog?: (line: string) => void } = {}) {
    const bundles = new BundleCache({ rootDir, cacheDir });
    const host = new FunctionHost({
      name: "bundled",
      entry: "handler.ts",
      rootDir,
      bundles,
      timeoutMs: 10_000,
      memoryMb: 256,
      env: o.env ?? {},
      region: "us-east-1",
      maxInstances: 1,
      ...(o.onLog ? { onLog: o.onLog } : {}),
    });
    hosts.push(host);
    return { bundles, host };
  }

  it("builds once per run with the deployment's options, and the function runs the bundle", async () => {
    source("first");
    const { bundles, host } = run();
    const [built, again] = await Promise.all([
      bundles.bundle("handler.ts"),
      bundles.bundle("handler.ts"),
    ]);
    expect(built).toEqual({ file: again.file, reused: false });
    expect(bundles.stats).toEqual({ built: 1, reused: 0 });
    expect(readFileSync(built.file, "utf8").startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    await host.warm();
    expect(await host.invoke({ n: 1 })).toEqual({ kind: "ok", result: { answer: "first", n: 1 } });
    expect(bundles.stats).toEqual({ built: 1, reused: 0 });
  });

  it("a later run takes the bundle from the cache", async () => {
    const { bundles, host } = run();
    const taken = await bundles.bundle("handler.ts");
    expect(taken.reused).toBe(true);
    // The first run's cold start left Node's compile cache beside the bundles, for this one.
    expect(readdirSync(join(cacheDir, ".node-compile-cache")).length).toBeGreaterThan(0);
    expect(await host.invoke({ n: 2 })).toEqual({ kind: "ok", result: { answer: "first", n: 2 } });
    expect(bundles.stats).toEqual({ built: 0, reused: 1 });
  });

  it("a changed source builds it again, even a module the entry only imports", async () => {
    source("second");
    const { bundles, host } = run();
    const rebuilt = await bundles.bundle("handler.ts");
    expect(rebuilt.reused).toBe(false);
    expect(await host.invoke({ n: 3 })).toEqual({ kind: "ok", result: { answer: "second", n: 3 } });
    expect(bundles.stats).toEqual({ built: 1, reused: 0 });
  });

  it("with NODE_OPTIONS=--enable-source-maps (as deployed) a stack names the TypeScript line; the map holds no sources' text", async () => {
    writeFileSync(
      join(rootDir, "handler.ts"),
      'import { answer } from "./answer.ts";\nexport const handler = async () => {\n  console.log(new Error(answer).stack);\n  return answer;\n};\n',
    );
    const stacks = async (env: Record<string, string>) => {
      const lines: string[] = [];
      const { bundles, host } = run({ env, onLog: (line) => lines.push(line) });
      const built = await bundles.bundle("handler.ts");
      expect(await host.invoke({})).toEqual({ kind: "ok", result: "second" });
      await waitFor("the stack logged", () => lines.some((l) => /\.(ts|mjs):\d+:\d+/.test(l)));
      return { built, log: lines.join("\n") };
    };
    // Without the option (the function's NODE_OPTIONS, as on Lambda) the environment does not map.
    const unmapped = await stacks({});
    expect(unmapped.log).not.toMatch(/handler\.ts:/);
    expect(unmapped.log).toMatch(/index\.mjs:\d+:\d+/);
    // A later cold start of the same bundle (its code from Node's compile cache) maps too.
    const mapped = await stacks({ NODE_OPTIONS: "--enable-source-maps" });
    expect(mapped.log).toMatch(/handler\.ts:3:\d+/);
    const map = JSON.parse(readFileSync(`${mapped.built.file}.map`, "utf8")) as {
      sources: string[];
      sourcesContent?: unknown;
    };
    expect(map.sources.some((s) => s.endsWith("handler.ts"))).toBe(true);
    expect(map.sourcesContent).toBeUndefined();
  });

  it("a source esbuild cannot build is an error naming it; the function's invocations crash", async () => {
    writeFileSync(join(rootDir, "answer.ts"), "export const answer = ;\n");
    const { bundles, host } = run();
    await expect(bundles.bundle("handler.ts")).rejects.toBeInstanceOf(BundleError);
    await expect(bundles.bundle("handler.ts")).rejects.toThrow(
      /esbuild could not bundle .*handler\.ts/,
    );
    await expect(host.warm()).rejects.toThrow(
      /bundled could not be bundled: esbuild could not bundle/,
    );
    const outcome = await host.invoke({ n: 4 });
    expect(outcome).toMatchObject({ kind: "crash", error: expect.stringContaining("answer.ts") });
    expect(host.stats).toMatchObject({ invocations: 1, crashes: 1, coldStarts: 0 });
  });
});
