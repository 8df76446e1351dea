import { describe, expect, it } from "vitest";
import { type CliIo, clientConfigFor, main, parseSimulateArgs } from "../../../simulator/cli.ts";
import { VirtualClock } from "../../../simulator/clock.ts";
import { SimulatorArgumentError } from "../../../simulator/errors.ts";
import { FakeBus } from "./fake-bus.ts";

function io(env: Record<string, string> = {}, isTTY = false) {
  const out: string[] = [];
  const err: string[] = [];
  const clock = new VirtualClock(Date.UTC(2026, 5, 1, 8));
  const bus = new FakeBus(clock);
  const value: CliIo = {
    stdout: { write: (t: string) => out.push(t), isTTY },
    stderr: { write: (t: string) => err.push(t) },
    env,
    client: bus,
    clock,
    signal: new AbortController().signal,
  };
  return { value, out, err, bus };
}

const parse = (argv: string[], env: Record<string, string> = { EVENT_BUS_NAME: "b" }) =>
  parseSimulateArgs(argv, env);

describe("buzzville simulate arguments", () => {
  it("parses every flag", () => {
    expect(
      parse([
        "--scenario",
        "storm",
        "--rate",
        "25",
        "--duration",
        "90",
        "--seed",
        "7",
        "--endpoint",
        "http://localhost:4566",
        "--bus",
        "city",
      ]),
    ).toEqual({
      scenario: "storm",
      rate: 25,
      durationSeconds: 90,
      seed: 7,
      endpoint: "http://localhost:4566",
      bus: "city",
    });
  });

  it("defaults rate 10, duration 60, seed 42 and the bus from EVENT_BUS_NAME", () => {
    expect(parse(["--scenario", "fire"], { EVENT_BUS_NAME: "from-env" })).toEqual({
      scenario: "fire",
      rate: 10,
      durationSeconds: 60,
      seed: 42,
      bus: "from-env",
    });
  });

  it("names an unknown scenario and lists the allowed ones", () => {
    expect(() => parse(["--scenario", "flood"])).toThrow(
      '--scenario "flood" is unknown; allowed: normal-day, rush-hour, storm, fire, crisis, chaos',
    );
    expect(() => parse([])).toThrow(/--scenario is required; allowed: normal-day/);
  });

  it("names an unknown flag and lists the allowed flags", () => {
    expect(() => parse(["--scenario", "fire", "--speed", "3"])).toThrow(SimulatorArgumentError);
    expect(() => parse(["--scenario", "fire", "--speed", "3"])).toThrow(
      /--speed.*Allowed flags: --scenario, --rate, --duration, --seed, --endpoint, --bus, --help/,
    );
  });

  it.each([
    [
      ["--rate", "0"],
      /--rate "0" is not allowed: expected a number of events per second in \(0, 10000\]/,
    ],
    [["--rate", "fast"], /--rate "fast" is not allowed/],
    [["--duration=-5"], /--duration "-5" is not allowed: expected a number of seconds/],
    [["--seed", "1.5"], /--seed "1.5" is not allowed: expected an integer in 0..4294967295/],
    [
      ["--endpoint", "localhost:4566"],
      /--endpoint "localhost:4566" is not allowed: expected an http\(s\) URL/,
    ],
  ])("rejects %j", (flags, message) => {
    expect(() => parse(["--scenario", "fire", ...flags])).toThrow(message);
  });

  it("needs a bus from --bus or EVENT_BUS_NAME", () => {
    expect(() => parse(["--scenario", "fire"], {})).toThrow(
      "no event bus: pass --bus NAME or set EVENT_BUS_NAME (the bus name or ARN of the deployment)",
    );
  });
});

describe("buzzville simulate main", () => {
  it("prints the error and the usage and exits 2 on bad arguments", async () => {
    const t = io();
    expect(await main(["--scenario", "nope", "--bus", "b"], t.value)).toBe(2);
    expect(t.err.join("")).toMatch(/--scenario "nope" is unknown/);
    expect(t.err.join("")).toMatch(/Usage: buzzville simulate/);
    expect(t.bus.calls).toBe(0);
  });

  it("prints help and exits 0", async () => {
    const t = io();
    expect(await main(["--help"], t.value)).toBe(0);
    expect(t.out.join("")).toMatch(/crisis +Concert \+ storm \+ accident/);
  });

  it("runs a scenario with plain progress lines and a summary", async () => {
    const t = io();
    const code = await main(
      ["--scenario", "fire", "--duration", "20", "--rate", "5", "--bus", "city"],
      t.value,
    );
    expect(code).toBe(0);
    const text = t.out.join("");
    expect(text).toMatch(/^\[\d+s\] sent \d+ \(.+\/s\) failures 0/m);
    expect(text).toMatch(/Scenario fire \(seed 42\) finished after 20.0 s/);
    expect(text).toMatch(/FireAlarmRaised +1/);
    expect(text).not.toContain("\r");
    expect(t.bus.received.length).toBeGreaterThan(90);
  });

  it("redraws one progress line on a TTY", async () => {
    const t = io({}, true);
    expect(
      await main(["--scenario", "normal-day", "--duration", "5", "--bus", "city"], t.value),
    ).toBe(0);
    expect(t.out.filter((l) => l.startsWith("\r\x1b[2K")).length).toBeGreaterThanOrEqual(4);
  });

  it("exits 1 when events failed, and says which", async () => {
    const t = io();
    t.bus.fault = (e) =>
      e.DetailType === "DaylightChanged"
        ? { ErrorCode: "AccessDeniedException", ErrorMessage: "no" }
        : undefined;
    expect(
      await main(["--scenario", "normal-day", "--duration", "10", "--bus", "city"], t.value),
    ).toBe(1);
    expect(t.out.join("")).toMatch(/failures by code: AccessDeniedException 16/);
  });
});

describe("clientConfigFor", () => {
  it("leaves everything to the standard AWS configuration without --endpoint", () => {
    expect(clientConfigFor(undefined, { AWS_REGION: "eu-west-3" })).toEqual({});
  });

  it("points at --endpoint with a default region and local credentials when none are set", () => {
    expect(clientConfigFor("http://127.0.0.1:4566", {})).toEqual({
      endpoint: "http://127.0.0.1:4566",
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
  });

  it("keeps the configured region, keys or profile", () => {
    const keys = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret" };
    expect(clientConfigFor("http://h:1", { AWS_REGION: "eu-west-3", ...keys })).toEqual({
      endpoint: "http://h:1",
      region: "eu-west-3",
    });
    expect(clientConfigFor("http://h:1", { AWS_PROFILE: "dev" })).not.toHaveProperty("credentials");
  });
});
