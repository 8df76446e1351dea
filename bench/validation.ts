/**
 * Benchmark 2: catalog validation (zod schemas of `events/`) on the same weighted mix, as a
 * consumer does it on every SQS record, and the cost of rejecting bad input.
 */
import {
  type AnyCityEvent,
  InvalidEventError,
  parseCityEvent,
  validateEvent,
} from "../events/index.ts";
import { BenchCheckError } from "./errors.ts";
import { stampedMix, wireEventOf } from "./fixtures.ts";
import { measureSync } from "./timing.ts";
import type { Benchmark } from "./types.ts";

const EVENTS = 1_000;

/** Two kinds of bad input, alternating: a priority outside the enum, a zone that disagrees with the payload. */
function spoil(event: Record<string, unknown>, i: number): Record<string, unknown> {
  const copy = structuredClone(event) as { detail: { meta: Record<string, unknown> } };
  if (i % 2 === 0) copy.detail.meta.priority = "urgent";
  else copy.detail.meta.zone = "z9999";
  return copy;
}

export const validation: Benchmark = {
  name: "validation",
  title: "Catalog validation (`parseCityEvent` / `validateEvent`)",
  async run(ctx) {
    const stamped: AnyCityEvent[] = stampedMix(EVENTS, ctx.random);
    const wire = stamped.map(wireEventOf);
    const texts = wire.map((e) => JSON.stringify(e));
    const bad = wire.map(spoil);
    for (const text of texts) parseCityEvent(text);
    for (const [i, event] of bad.entries()) {
      if (validateEvent(String(event["detail-type"]), event.detail).ok) {
        throw new BenchCheckError(`validation: spoiled event #${i} was accepted`);
      }
    }
    const common = { throughputUnit: "events/s", latencyOf: "per event", random: ctx.random };
    const warmupMs = ctx.budget(800, 100);
    const durationMs = ctx.budget(4_000, 500);
    ctx.progress("parseCityEvent(JSON text)");
    const text = measureSync((i) => parseCityEvent(texts[i % EVENTS]), {
      ...common,
      label: "`parseCityEvent(text)`: JSON.parse + envelope + source + detail schema",
      warmupMs,
      durationMs,
    });
    ctx.progress("validateEvent(detail-type, detail)");
    const detail = measureSync(
      (i) => {
        const e = stamped[i % EVENTS] as AnyCityEvent;
        return validateEvent(e.detailType, e.detail);
      },
      {
        ...common,
        label: "`validateEvent(detailType, detail)`: detail schema only (object in hand)",
        warmupMs,
        durationMs,
      },
    );
    ctx.progress("rejections");
    let rejected = 0;
    const rejecting = measureSync(
      (i) => {
        try {
          parseCityEvent(bad[i % EVENTS]);
        } catch (error) {
          if (!(error instanceof InvalidEventError)) throw error;
          rejected++;
        }
      },
      {
        ...common,
        label: "`parseCityEvent(object)` of invalid events → `InvalidEventError` with its problems",
        warmupMs,
        durationMs,
      },
    );
    if (rejected === 0) throw new BenchCheckError("validation: no invalid event was rejected");
    return {
      status: "measured",
      name: this.name,
      title: this.title,
      method: [
        `- Input: ${EVENTS.toLocaleString("en-US")} stamped events in the weighted mix of the catalog examples (all 25 types weighted as on a busy day), round-robin.`,
        '- Valid rows: every event must pass (checked before timing). Invalid row: the same events with either `meta.priority = "urgent"` or a `meta.zone` that disagrees with the payload, alternating; the error lists each problem with field and rule.',
        "- In-process, single thread, zod 4 schemas from `events/` (strict objects, superRefine for meta derived from the payload).",
      ].join("\n"),
      rows: [text, detail, rejecting],
      notes: [],
    };
  },
};
