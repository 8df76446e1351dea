import { describe, expect, it } from "vitest";
import {
  CircuitBreaker,
  CircuitOpenError,
  InMemoryBreakerStore,
} from "../../../../functions/shared/breaker.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { DownstreamTimeoutError } from "../../../../functions/shared/errors.ts";

const ok = async () => "ok";
const fail = async () => {
  throw new Error("downstream 500");
};

function setup() {
  const store = new InMemoryBreakerStore();
  const clock = new ManualClock();
  const make = () =>
    new CircuitBreaker({
      name: "dispatch-api",
      store,
      clock,
      failureThreshold: 2,
      openMs: 10_000,
      timeoutMs: 50,
    });
  return { store, clock, a: make(), b: make() };
}

describe("circuit breaker", () => {
  it("closed -> open after the threshold -> half-open after openMs -> closed on a good trial", async () => {
    const { a, clock } = setup();
    await expect(a.call("dispatch", fail)).rejects.toThrow("downstream 500");
    expect(await a.status()).toBe("closed");
    await expect(a.call("dispatch", fail)).rejects.toThrow("downstream 500");
    expect(await a.status()).toBe("open");
    await expect(a.call("dispatch", ok)).rejects.toBeInstanceOf(CircuitOpenError);
    clock.advance(10_000);
    await expect(a.call("dispatch", ok)).resolves.toBe("ok");
    expect(await a.status()).toBe("closed");
  });

  it("re-opens when the half-open trial fails", async () => {
    const { a, clock } = setup();
    await a.call("dispatch", fail).catch(() => {});
    await a.call("dispatch", fail).catch(() => {});
    clock.advance(10_000);
    await expect(a.call("dispatch", fail)).rejects.toThrow("downstream 500");
    expect(await a.status()).toBe("open");
    await expect(a.call("dispatch", ok)).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it("shares its state across instances through the store", async () => {
    const { a, b } = setup();
    await a.call("dispatch", fail).catch(() => {});
    await b.call("dispatch", fail).catch(() => {});
    await expect(a.call("dispatch", ok)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(await b.status()).toBe("open");
  });

  it("lets only one instance run the half-open trial", async () => {
    const { a, b, clock } = setup();
    await a.call("dispatch", fail).catch(() => {});
    await a.call("dispatch", fail).catch(() => {});
    clock.advance(10_000);
    let release: (v: string) => void = () => {};
    const trial = a.call("dispatch", () => new Promise<string>((r) => (release = r)));
    await expect(b.call("dispatch", ok)).rejects.toBeInstanceOf(CircuitOpenError);
    release("done");
    await expect(trial).resolves.toBe("done");
    expect(await b.status()).toBe("closed");
  });

  it("counts a call that exceeds its timeout as a failure", async () => {
    const { a } = setup();
    const never = () => new Promise<string>(() => {});
    await expect(a.call("dispatch", never)).rejects.toBeInstanceOf(DownstreamTimeoutError);
    await expect(a.call("dispatch", never)).rejects.toBeInstanceOf(DownstreamTimeoutError);
    expect(await a.status()).toBe("open");
  });

  it("rejects invalid thresholds, naming the value", () => {
    const { store, clock } = setup();
    expect(() => new CircuitBreaker({ name: "x", store, clock, failureThreshold: 0 })).toThrow(
      /failureThreshold must be an integer >= 1, got 0/,
    );
  });
});
