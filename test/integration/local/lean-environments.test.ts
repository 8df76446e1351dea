/**
 * What every execution environment no longer holds: Node's fetch (undici), which an ESM import of
 * `node:http` loaded (the bundles take the module without one, functions/shared/node-http.ts), and
 * the bundle's parsed source map, which `--enable-source-maps` built at load: stacks are mapped
 * when first written (local/lambda/stack-maps.ts) and still name the TypeScript line.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FunctionHost } from "../../../local/lambda/host.ts";

const FIXTURE = "test/integration/local/fixtures/footprint.ts";

interface Footprint {
  stack: string;
  nodeErrorHeader: string;
  mapParsedAtLoad: boolean;
  nodeOptions: string | null;
  http: boolean;
  undici: boolean;
}

describe("lean execution environments", () => {
  const hosts: FunctionHost[] = [];
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.close()));
  });

  async function footprint(env: Record<string, string>): Promise<Footprint> {
    const host = new FunctionHost({
      name: `footprint-${hosts.length}`,
      entry: FIXTURE,
      timeoutMs: 20_000,
      memoryMb: 256,
      env,
      region: "us-east-1",
      maxInstances: 1,
    });
    hosts.push(host);
    const outcome = await host.invoke({});
    if (outcome.kind !== "ok") throw new Error(`invoke: ${JSON.stringify(outcome)}`);
    return outcome.result as Footprint;
  }

  const line =
    readFileSync(resolve(FIXTURE), "utf8")
      .split("\n")
      .findIndex((l) => l.includes("STACK-LINE")) + 1;

  it("maps stacks to the TypeScript source when first written, not at load", async () => {
    const seen = await footprint({ NODE_OPTIONS: "--enable-source-maps" });
    expect(seen.mapParsedAtLoad).toBe(false);
    expect(seen.nodeOptions).toBe("--enable-source-maps");
    const [header, first] = seen.stack.split("\n");
    expect(header).toBe("Error: where");
    // Node's own errors keep their code in the first line, as Node writes it.
    expect(seen.nodeErrorHeader).toMatch(/^RangeError \[ERR_OUT_OF_RANGE\]: /);
    expect(first).toMatch(new RegExp(`at handler \\(${resolve(FIXTURE)}:${line}:\\d+\\)$`));
  });

  it("leaves stacks as V8 writes them when the function asks for no source maps", async () => {
    const seen = await footprint({});
    expect(seen.nodeOptions).toBeNull();
    expect(seen.stack.split("\n")[1]).toMatch(/index\.mjs:\d+:\d+\)$/);
  });

  it("gives the function node:http without loading undici", async () => {
    const seen = await footprint({});
    expect(seen.http).toBe(true);
    expect(seen.undici).toBe(false);
  });
});
