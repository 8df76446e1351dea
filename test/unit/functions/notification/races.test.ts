/**
 * Citizens are notified exactly once per alert and zone whatever the timing. Each race is made on
 * purpose: a handler held inside its SNS publish while a second handler gets the same message
 * (a second environment after the visibility timeout, or the same alert delivered twice), a
 * handler still running when a shorter lease would have expired, and a retry after the publish
 * succeeded but the announcement failed. Counted on the channel (what SNS accepted) and on the
 * bus (every CitizensNotified that reached it, duplicates included).
 */
import { describe, expect, it } from "vitest";
import { InMemoryZoneChannel } from "../../../../functions/notification/channel.ts";
import { ZoneInFlightError } from "../../../../functions/notification/ledger.ts";
import { CitizenRegistry } from "../../../../functions/notification/registry.ts";
import { NotificationService } from "../../../../functions/notification/service.ts";
import { CircuitBreaker, InMemoryBreakerStore } from "../../../../functions/shared/breaker.ts";
import { CachedDocumentStore } from "../../../../functions/shared/cached-documents.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { InMemoryBus } from "../../../../functions/shared/derived.ts";
import { InMemoryDocumentStore } from "../../../../functions/shared/documents.ts";
import { waitFor } from "../../../support/wait.ts";
import { cityEvent } from "../fixtures.ts";

/** Holds every publish until released (a slow SNS call); counts the publishes in flight. */
class Gate {
  entered = 0;
  private open!: () => void;
  private readonly opened = new Promise<void>((resolve) => {
    this.open = resolve;
  });
  readonly hold = async () => {
    this.entered += 1;
    await this.opened;
  };
  release(): void {
    this.open();
  }
}

async function setup(leaseMs = 60_000) {
  const store = new InMemoryDocumentStore();
  const registry = new CitizenRegistry(store);
  await registry.ensureSeeded();
  const channel = new InMemoryZoneChannel();
  const bus = new InMemoryBus();
  const clock = new ManualClock();
  const breakers = new InMemoryBreakerStore();
  const outage = { bus: false };
  /** One Lambda environment: its own caches, the shared table, SNS topic and bus. */
  const environment = () =>
    new NotificationService({
      docs: new CachedDocumentStore(store, { now: () => clock.now() }),
      registry,
      channel,
      breaker: new CircuitBreaker({ name: "sms", store: breakers, clock }),
      bus: {
        publishDerived: async (cause, drafts) => {
          if (outage.bus) throw new Error("injected: PutEvents failed");
          return bus.publisher("notification", () => clock.now()).publishDerived(cause, drafts);
        },
      },
      clock,
      leaseMs,
    });
  const notices = () => bus.ofType("CitizensNotified").map((e) => e.detail.zone);
  return { channel, bus, clock, environment, notices, outage };
}

describe("notification: exactly once per zone under races", () => {
  it("two handlers of one message: the second waits for the first's claim, sends and announces nothing", async () => {
    const { channel, environment, notices } = await setup();
    const alert = cityEvent("WeatherAlertIssued", { zones: ["z3", "z4"] }, { priority: "high" });
    const gate = new Gate();
    channel.beforeAccept = gate.hold;
    const first = environment().handle(alert);
    await waitFor("the first handler inside its publish", () => gate.entered === 1);
    // The message's visibility timeout ends: a second environment receives it meanwhile.
    const second = environment().handle(structuredClone(alert));
    await expect(second).rejects.toThrow(ZoneInFlightError);
    await expect(second).rejects.toMatchObject({ retryAfterMs: expect.any(Number) });
    gate.release();
    await first;
    // the second's retry (after its backoff) finds every zone announced
    await environment().handle(alert);
    expect(gate.entered).toBe(1);
    expect(channel.sent.map((m) => m.zone).sort()).toEqual(["z3", "z4"]);
    expect(notices().sort()).toEqual(["z3", "z4"]);
  });

  it("a handler outliving a short lease keeps its claim: the lease covers the invocation", async () => {
    // A lease of 1 s, as an in-progress record bound to a short remaining time would be; the
    // handler passes its invocation's remaining time (10 s) plus a margin as the least lease.
    const { channel, clock, environment, notices } = await setup(1_000);
    const alert = cityEvent("WeatherAlertIssued", { zones: ["z3", "z5"] }, { priority: "high" });
    const gate = new Gate();
    channel.beforeAccept = gate.hold;
    const slow = environment().handle(alert, 10_000 + 10_000);
    await waitFor("the slow handler inside its publish", () => gate.entered === 1);
    clock.advance(9_000); // past the 1 s lease, still inside the invocation
    await expect(environment().handle(alert)).rejects.toThrow(ZoneInFlightError);
    gate.release();
    await slow;
    expect(channel.sent.map((m) => m.zone)).toEqual(["z3", "z5"]);
    expect(notices()).toEqual(["z3", "z5"]);
  });

  it("a retry after SNS accepted but the announcement failed announces once and re-sends nothing", async () => {
    const { channel, environment, notices, outage } = await setup();
    const alert = cityEvent("WeatherAlertIssued", { zones: ["z3", "z2"] }, { priority: "high" });
    outage.bus = true;
    await expect(environment().handle(alert)).rejects.toThrow(/PutEvents failed/);
    outage.bus = false;
    expect(channel.sent.map((m) => m.zone)).toEqual(["z3", "z2"]);
    expect(notices()).toEqual([]);
    // The redelivery, in another environment, right away: the failed run released its lease.
    await environment().handle(alert);
    await environment().handle(alert); // and the same alert delivered once more
    expect(channel.sent).toHaveLength(2);
    expect(notices()).toEqual(["z3", "z2"]);
  });

  it("the same alert delivered twice at once to two environments: one publish and one notice per zone", async () => {
    const { channel, environment, notices } = await setup();
    const alert = cityEvent("WeatherAlertIssued", { zones: ["z3", "z7", "z8"] });
    const results = await Promise.allSettled([
      environment().handle(alert),
      environment().handle(structuredClone(alert)),
    ]);
    const failed = results.filter((r) => r.status === "rejected");
    for (const f of failed) expect(f.reason).toBeInstanceOf(Error);
    await environment().handle(alert); // the retry of whichever lost
    expect(channel.sent.map((m) => m.zone).sort()).toEqual(["z3", "z7", "z8"]);
    expect(notices().sort()).toEqual(["z3", "z7", "z8"]);
  });
});
