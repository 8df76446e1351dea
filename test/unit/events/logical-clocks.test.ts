import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClockError, LamportClock, VectorClock } from "../../../events/index.ts";

const NODES = ["a", "b", "c", "d"] as const;
const record = fc.dictionary(fc.constantFrom(...NODES), fc.nat({ max: 20 }));
const vclock = record.map((r) => VectorClock.from(r));

/** A random run of a distributed system: local steps, sends and receives among 3 nodes. */
type Step = { kind: "local"; node: number } | { kind: "send"; from: number; to: number };
const steps = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant("local" as const), node: fc.nat({ max: 2 }) }),
    fc.record({
      kind: fc.constant("send" as const),
      from: fc.nat({ max: 2 }),
      to: fc.nat({ max: 2 }),
    }),
  ),
  { maxLength: 40 },
);

interface Happening {
  readonly vc: VectorClock;
  readonly lamport: number;
}

/** Runs the steps; every event (local, send, receive) is recorded with both clocks. */
function run(plan: readonly Step[]): Happening[] {
  const names = ["n0", "n1", "n2"];
  const vcs = names.map(() => VectorClock.empty());
  const lamports = names.map(() => new LamportClock());
  const log: Happening[] = [];
  const at = (i: number) => ({
    vc: vcs[i] as VectorClock,
    lamport: lamports[i] as LamportClock,
    name: names[i] as string,
  });
  for (const s of plan) {
    if (s.kind === "local") {
      const n = at(s.node);
      vcs[s.node] = n.vc.increment(n.name);
      log.push({ vc: vcs[s.node] as VectorClock, lamport: n.lamport.tick() });
    } else {
      const from = at(s.from);
      vcs[s.from] = from.vc.increment(from.name);
      const sent = { vc: vcs[s.from] as VectorClock, lamport: from.lamport.tick() };
      log.push(sent);
      const to = at(s.to);
      vcs[s.to] = to.vc.receive(to.name, sent.vc);
      log.push({ vc: vcs[s.to] as VectorClock, lamport: to.lamport.receive(sent.lamport) });
    }
  }
  return log;
}

describe("LamportClock", () => {
  it("ticks on send and takes max + 1 on receive", () => {
    const clock = new LamportClock();
    expect(clock.tick()).toBe(1);
    expect(clock.tick()).toBe(2);
    expect(clock.receive(10)).toBe(11);
    expect(clock.receive(3)).toBe(12);
    expect(clock.time).toBe(12);
  });

  it("tick is strictly monotonic", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 1000 }),
        fc.array(fc.option(fc.nat({ max: 1000 })), { maxLength: 50 }),
        (start, ops) => {
          const clock = new LamportClock(start);
          let last = clock.time;
          for (const op of ops) {
            const now = op === null ? clock.tick() : clock.receive(op);
            expect(now).toBeGreaterThan(last);
            if (op !== null) expect(now).toBeGreaterThan(op);
            last = now;
          }
        },
      ),
    );
  });

  it("clock condition: a happened-before b implies L(a) < L(b)", () => {
    fc.assert(
      fc.property(steps, (plan) => {
        const log = run(plan);
        for (const a of log)
          for (const b of log)
            if (a.vc.happenedBefore(b.vc)) expect(a.lamport).toBeLessThan(b.lamport);
      }),
    );
  });

  it("rejects negative or fractional times", () => {
    expect(() => new LamportClock(-1)).toThrow(ClockError);
    expect(() => new LamportClock().receive(1.5)).toThrow(
      "LamportClock.receive remote time must be an integer >= 0, got 1.5",
    );
  });
});

describe("VectorClock", () => {
  it("compares before / after / concurrent / equal", () => {
    const a = VectorClock.from({ a: 1 });
    const b = a.increment("b");
    const c = a.increment("c");
    expect(a.compare(b)).toBe("before");
    expect(b.compare(a)).toBe("after");
    expect(b.compare(c)).toBe("concurrent");
    expect(b.compare(VectorClock.from({ b: 1, a: 1, c: 0 }))).toBe("equal");
    expect(b.merge(c).toJSON()).toEqual({ a: 1, b: 1, c: 1 });
  });

  it("merge is commutative, associative and idempotent", () => {
    fc.assert(
      fc.property(vclock, vclock, vclock, (x, y, z) => {
        expect(x.merge(y).equals(y.merge(x))).toBe(true);
        expect(
          x
            .merge(y)
            .merge(z)
            .equals(x.merge(y.merge(z))),
        ).toBe(true);
        expect(x.merge(x).equals(x)).toBe(true);
      }),
    );
  });

  it("merge is the least upper bound", () => {
    fc.assert(
      fc.property(vclock, vclock, (x, y) => {
        const m = x.merge(y);
        expect(["after", "equal"]).toContain(m.compare(x));
        expect(["after", "equal"]).toContain(m.compare(y));
        for (const n of NODES) expect(m.get(n)).toBe(Math.max(x.get(n), y.get(n)));
      }),
    );
  });

  it("increment moves strictly after", () => {
    fc.assert(
      fc.property(vclock, fc.constantFrom(...NODES), (x, n) => {
        expect(x.compare(x.increment(n))).toBe("before");
        expect(x.increment(n).get(n)).toBe(x.get(n) + 1);
      }),
    );
  });

  it("compare is antisymmetric and consistent with its converse", () => {
    const converse = {
      before: "after",
      after: "before",
      concurrent: "concurrent",
      equal: "equal",
    } as const;
    fc.assert(
      fc.property(vclock, vclock, (x, y) => {
        expect(y.compare(x)).toBe(converse[x.compare(y)]);
        if (x.compare(y) === "equal") expect(x.toJSON()).toEqual(y.toJSON());
      }),
    );
  });

  it("happened-before is transitive", () => {
    fc.assert(
      fc.property(vclock, vclock, vclock, (x, y, z) => {
        if (x.happenedBefore(y) && y.happenedBefore(z)) expect(x.happenedBefore(z)).toBe(true);
      }),
    );
    // and on causally built chains, where the premise always holds
    fc.assert(
      fc.property(
        vclock,
        fc.array(fc.constantFrom(...NODES), { minLength: 2, maxLength: 10 }),
        (x, path) => {
          const chain = [x];
          for (const n of path) chain.push((chain.at(-1) as VectorClock).increment(n));
          expect((chain[0] as VectorClock).happenedBefore(chain.at(-1) as VectorClock)).toBe(true);
        },
      ),
    );
  });

  it("in a run, the receive of a message is after its send, and events of one node are ordered", () => {
    fc.assert(
      fc.property(steps, (plan) => {
        const log = run(plan);
        for (let i = 0; i < log.length; i++) {
          for (let j = i + 1; j < log.length; j++) {
            const order = (log[i] as Happening).vc.compare((log[j] as Happening).vc);
            expect(order).not.toBe("after");
            expect(order).not.toBe("equal");
          }
        }
      }),
    );
  });

  it("round-trips through meta.vectorClock and rejects bad entries", () => {
    fc.assert(
      fc.property(record, (r) => {
        const back = VectorClock.from(VectorClock.from(r).toJSON());
        expect(back.equals(VectorClock.from(r))).toBe(true);
        expect(back.toJSON()).toEqual(
          Object.fromEntries(Object.entries(r).filter(([, v]) => v > 0)),
        );
      }),
    );
    expect(() => VectorClock.from({ a: -1 })).toThrow(
      'VectorClock entry "a" must be an integer >= 0, got -1',
    );
    expect(() => VectorClock.empty().increment("")).toThrow(ClockError);
  });
});
