/**
 * Reserved concurrency for the functions behind critical queues: the default plan, the context
 * knob (`-c reservedConcurrency=...`) and its errors, which name the field, say what is allowed
 * and quote the value.
 */
import { App, Stack } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import {
  defaultReservedConcurrency,
  eventSourceConcurrency,
  planReservedConcurrency,
} from "../../infra/concurrency.ts";
import { readAppConfig } from "../../infra/config.ts";
import { ConsumerFunction } from "../../infra/constructs/consumer-function.ts";
import { InfraConfigError } from "../../infra/errors.ts";
import { BuzzVilleStack, PROJECT_ROOT } from "../../infra/stack.ts";
import { type Topology, topology } from "../../infra/topology.ts";

const DEFAULT = {
  Emergency: 20,
  Notification: 12,
  Traffic: 0,
  EventStore: 0,
  Media: 0,
  Analytics: 0,
};
const fromContext = (value: unknown) =>
  readAppConfig((key) => (key === "reservedConcurrency" ? value : undefined)).reservedConcurrency;
const contextError = (value: unknown): string => {
  try {
    fromContext(value);
  } catch (e) {
    expect(e).toBeInstanceOf(InfraConfigError);
    return (e as Error).message;
  }
  throw new Error(`expected reservedConcurrency ${JSON.stringify(value)} to be rejected`);
};

describe("the reservation plan", () => {
  it("functions behind a critical queue reserve the summed max concurrency of their event sources", () => {
    expect(eventSourceConcurrency(topology, "Notification")).toBe(12);
    expect(defaultReservedConcurrency(topology)).toEqual(DEFAULT);
    expect(planReservedConcurrency(topology, undefined)).toEqual(DEFAULT);
  });

  it("follows the topology: a function whose subscriptions are not critical reserves nothing", () => {
    const calm: Topology = {
      ...topology,
      subscriptions: topology.subscriptions.map((s) => ({ ...s, priority: "normal" as const })),
    };
    expect(Object.values(defaultReservedConcurrency(calm))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("0 reserves nothing; a map overrides the listed functions only", () => {
    expect(planReservedConcurrency(topology, 0)).toEqual(
      Object.fromEntries(Object.keys(DEFAULT).map((id) => [id, 0])),
    );
    expect(planReservedConcurrency(topology, { Emergency: 40, Notification: 0, Media: 2 })).toEqual(
      { ...DEFAULT, Emergency: 40, Notification: 0, Media: 2 },
    );
  });

  it("rejects an unknown function, and a reservation below what the event sources may run", () => {
    expect(() => planReservedConcurrency(topology, { Ghost: 5 })).toThrow(
      "reservedConcurrency.Ghost: names no topology function; declared: Emergency, Notification, Traffic, EventStore, Media, Analytics",
    );
    expect(() => planReservedConcurrency(topology, { Notification: 10 })).toThrow(
      /^reservedConcurrency.Notification: must be 0 \(unreserved\) or at least 12, the maximum concurrency of its event sources \(NotificationCritical 10 \+ NotificationBulk 2\), else Lambda throttles .*; got 10$/,
    );
    expect(() => planReservedConcurrency(topology, { Emergency: 2.5 })).toThrow(
      /reservedConcurrency.Emergency: must be a whole number from 0 to 10000 .*got 2.5/,
    );
  });

  it("the stack and the function validate too, naming the construct", () => {
    expect(
      () =>
        new BuzzVilleStack(new App(), "S", {
          reservedConcurrency: { Emergency: 5 },
          bundle: false,
        }),
    ).toThrow(/^S: reservedConcurrency.Emergency: must be 0 \(unreserved\) or at least 20/);
    const spec = topology.functions[0];
    if (!spec) throw new Error("topology has no functions");
    expect(
      () =>
        new ConsumerFunction(new Stack(new App(), "Probe"), "Fn", {
          spec,
          projectRoot: PROJECT_ROOT,
          resourceEnvironment: {},
          bundle: false,
          reservedConcurrentExecutions: -1,
        }),
    ).toThrow(
      /Probe\/Fn: reservedConcurrentExecutions: must be an integer from 0 to 10000, got -1/,
    );
  });
});

describe("the reservedConcurrency context knob", () => {
  it("takes 0, a comma list of id=n, or a JSON object (as cdk.json or -c passes it)", () => {
    expect(fromContext(undefined)).toBeUndefined();
    expect(fromContext(0)).toBe(0);
    expect(fromContext("0")).toBe(0);
    expect(fromContext(" Emergency=25 , Notification=0 ")).toEqual({
      Emergency: 25,
      Notification: 0,
    });
    expect(fromContext({ Emergency: 25 })).toEqual({ Emergency: 25 });
    expect(fromContext('{"Notification": 15}')).toEqual({ Notification: 15 });
  });

  it("rejects anything else, saying what is allowed and quoting the value", () => {
    expect(contextError("20")).toMatch(
      /^context "reservedConcurrency": must be 0 \(reserve nothing\), or reservations by function id such as "Emergency=20,Notification=12" or \{"Emergency":20\} \(each a whole number from 0 to 10000; 0 = unreserved\); got "20"$/,
    );
    expect(contextError("Emergency=lots")).toBe(
      'context "reservedConcurrency": the reservation of Emergency must be a whole number from 0 to 10000 (0 = unreserved), got "lots"; got "Emergency=lots"',
    );
    expect(contextError("emergency=20")).toMatch(/"emergency" is not a function id \(PascalCase/);
    expect(contextError({ Emergency: -1 })).toMatch(/Emergency must be a whole number .*got -1/);
    expect(contextError("Emergency")).toMatch(/Emergency must be a whole number .*got undefined/);
    expect(contextError("{oops")).toMatch(/the JSON object does not parse; got "\{oops"$/);
    expect(contextError([20])).toMatch(/must be 0 \(reserve nothing\).*; got \[20\]$/);
  });
});
