/** The console's and tail's command-line flags, refused before anything boots. */
import { describe, expect, it } from "vitest";
import { run } from "../../../bin/cli.ts";

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    signal: new AbortController().signal,
  });
  return { code, out, err };
}

describe("console and tail flags", () => {
  it("refuses --console-port out of range and with --no-console, naming the rule", async () => {
    const bad = await cli(["up", "--port", "0", "--console-port", "70000"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--console-port must be an integer from 0 to 65535, got "70000"');
    const both = await cli(["local", "--port", "0", "--no-console", "--console-port", "0"]);
    expect(both.code).toBe(2);
    expect(both.err).toContain("--console-port and --no-console exclude each other");
    expect(both.out + both.err).not.toContain("Buzz Ville local cloud:");
  });

  it("documents tail and the console flags in its help", async () => {
    const help = await cli(["help"]);
    expect(help.out).toContain("--console-port N");
    expect(help.out).toContain("tail [--type T] [--zone Z] [--priority P]");
    const tail = await cli(["tail", "--help"]);
    expect(tail.code).toBe(0);
    expect(tail.out).toContain("Usage: buzzville tail");
  });
});
