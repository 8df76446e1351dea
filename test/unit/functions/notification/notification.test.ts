import { describe, expect, it } from "vitest";
import { InMemoryZoneChannel } from "../../../../functions/notification/channel.ts";
import { ZoneInFlightError } from "../../../../functions/notification/ledger.ts";
import { CENSUS, CitizenRegistry } from "../../../../functions/notification/registry.ts";
import { NotificationService } from "../../../../functions/notification/service.ts";
import { CircuitBreaker, InMemoryBreakerStore } from "../../../../functions/shared/breaker.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { InMemoryBus } from "../../../../functions/shared/derived.ts";
import { InMemoryDocumentStore } from "../../../../functions/shared/documents.ts";
import { cityEvent } from "../fixtures.ts";

async function setup() {
  const docs = new InMemoryDocumentStore();
  const registry = new CitizenRegistry(docs);
  await registry.ensureSeeded();
  const channel = new InMemoryZoneChannel();
  const bus = new InMemoryBus();
  const clock = new ManualClock();
  const service = new NotificationService({
    docs,
    registry,
    channel,
    breaker: new CircuitBreaker({ name: "sms", store: new InMemoryBreakerStore(), clock }),
    bus: bus.publisher("notification", () => clock.now()),
    clock,
  });
  return { docs, registry, channel, bus, service, clock };
}

describe("notification", () => {
  it("seeds 50,000 synthetic citizens across the zones", async () => {
    const { registry } = await setup();
    let total = 0;
    for (const zone of Object.keys(CENSUS)) total += (await registry.zone(zone)).count;
    expect(total).toBe(50_000);
    const z3 = await registry.zone("z3");
    expect(Object.values(z3.byLanguage).reduce((a, b) => a + b, 0)).toBe(8_100);
    // the citizens themselves arrive a few chunks at a time, all of them in the end
    let remaining = await registry.seedChunks(30);
    expect(remaining).toBe(104 - 30); // 104 chunks of up to 500 citizens (per zone, rounded up)
    while (remaining > 0) remaining = await registry.seedChunks(30);
    const citizens = await registry.citizens("z3");
    expect(citizens).toHaveLength(8_100);
    expect(citizens.filter((c) => c.channel === "sms")).toHaveLength(z3.byChannel.sms);
  });

  it("publishes once per zone and reports each zone's known size in CitizensNotified", async () => {
    const { service, channel, bus } = await setup();
    const alert = cityEvent("WeatherAlertIssued", { zones: ["z3", "z4"] });
    await service.handle(alert);
    expect(channel.sent.map((m) => m.zone)).toEqual(["z3", "z4"]);
    const notified = bus.ofType("CitizensNotified").map((e) => e.detail);
    expect(notified.map((n) => [n.zone, n.recipientsCount])).toEqual([
      ["z3", 8_100],
      ["z4", 6_300],
    ]);
    expect(notified[0]?.alertEventId).toBe(alert.detail.meta.eventId);
    // no personal data on the bus
    expect(JSON.stringify(bus.events)).not.toMatch(/\+999-/);
  });

  it("never sends twice: the same alert delivered again re-sends nothing", async () => {
    const { service, channel, bus } = await setup();
    const alert = cityEvent("WeatherAlertIssued", { zones: ["z3"] });
    await service.handle(alert);
    await service.handle(structuredClone(alert));
    expect(channel.sent).toHaveLength(1);
    expect(new Set(bus.ofType("CitizensNotified").map((e) => e.detail.meta.eventId)).size).toBe(1);
  });

  it("after a partial failure, the retry sends only the zones not yet sent", async () => {
    const { service, channel } = await setup();
    const alert = cityEvent("WeatherAlertIssued", { zones: ["z3", "z4"] });
    channel.failZones.add("z4");
    await expect(service.handle(alert)).rejects.toThrow(/zone z4/);
    channel.failZones.clear();
    await service.handle(alert);
    expect(channel.sent.map((m) => m.zone)).toEqual(["z3", "z4"]);
  });

  it("sends the cancellation of a weather alert to its zones", async () => {
    const { service, channel } = await setup();
    await service.handle(cityEvent("WeatherAlertCancelled", { zones: ["z4"] }));
    expect(channel.sent[0]?.body).toMatchObject({ cancellation: true, zone: "z4" });
    const messages = channel.sent[0]?.body.messages as { en: string } | undefined;
    expect(messages?.en).toContain("cancelled");
  });

  it("a crash after publishing, before the zone is recorded, re-sends it marked with the same key", async () => {
    const { service, channel, docs, clock } = await setup();
    const alert = cityEvent("WeatherAlertIssued", { zones: ["z3"] });
    // Every ledger write after the claim fails: SNS accepted the publish, then the function
    // died (not even its release got written), so its claim stays until the lease ends.
    const put = docs.put.bind(docs);
    let crashed = false;
    docs.put = async (pk, sk, value, version) => {
      if (crashed && sk === "ledger") throw new Error("crash");
      if (sk === "ledger") crashed = true;
      return put(pk, sk, value, version);
    };
    await expect(service.handle(alert)).rejects.toThrow(/crash/);
    docs.put = put;
    // the retry before the lease ends waits (the claim may be a live handler): nothing sent
    await expect(service.handle(alert)).rejects.toThrow(ZoneInFlightError);
    expect(channel.sent).toHaveLength(1);
    clock.advance(60_000);
    await service.handle(alert);
    expect(channel.sent.map((m) => [m.messageKey, m.possibleDuplicate ?? false])).toEqual([
      [`${alert.detail.meta.eventId}:z3`, false],
      [`${alert.detail.meta.eventId}:z3`, true],
    ]);
    await service.handle(alert); // recorded announced now: nothing more
    expect(channel.sent).toHaveLength(2);
  });

  it("stops regenerating the registry once seeding is complete", async () => {
    const docs = new InMemoryDocumentStore();
    const registry = new CitizenRegistry(docs, { z1: 1_200 });
    await registry.ensureSeeded();
    expect(await registry.seedChunks(2)).toBe(1);
    expect(await registry.seedChunks(2)).toBe(0);
    const get = docs.get.bind(docs);
    let reads = 0;
    docs.get = async (pk, sk) => {
      reads += 1;
      return get(pk, sk);
    };
    expect(await registry.seedChunks(2)).toBe(0); // learns it is complete
    const after = reads;
    expect(await registry.seedChunks(2)).toBe(0);
    expect(reads).toBe(after); // no read, no generation any more
    expect(await registry.citizens("z1")).toHaveLength(1_200);
  });
});
