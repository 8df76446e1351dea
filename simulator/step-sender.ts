/**
 * Sends the scenario steps that are due together (simulator/run.ts): events per producer lane
 * (plain lanes batched in one tick, lanes with a reordered pair in order, late event first),
 * then malformed entries and duplicate deliveries of entries sent earlier, recording each
 * outcome.
 */
import type { AnyCityEvent } from "../events/catalog.ts";
import type { AnyEventDraft } from "../events/draft.ts";
import { putEventsEntryOf } from "../events/publisher.ts";
import { type Recorder, record } from "./stats.ts";
import type { ScenarioStep } from "./steps.ts";
import type { SimulatorTransport } from "./transport.ts";

/** Keep this many sent entries for duplicate deliveries. */
const DUPLICATE_WINDOW = 5000;

type Entry = ReturnType<typeof putEventsEntryOf>;

const draftsOfEvent = (step: ScenarioStep): AnyEventDraft[] =>
  step.kind === "event" ? [step.draft] : [];

export class StepSender {
  /** Entries sent, by event id (the last DUPLICATE_WINDOW), for duplicate deliveries. */
  private readonly sentEntries = new Map<string, Entry>();

  constructor(
    private readonly transport: SimulatorTransport,
    private readonly rec: Recorder,
    private readonly busName: string,
    private readonly concurrency: number,
  ) {}

  async flush(due: readonly ScenarioStep[]): Promise<void> {
    const lanes = new Map<string, ScenarioStep[]>();
    const raw: ScenarioStep[] = [];
    for (const step of due) {
      if (step.kind === "event" || step.kind === "reorder") {
        const lane = lanes.get(step.producerId) ?? [];
        lane.push(step);
        lanes.set(step.producerId, lane);
      } else raw.push(step);
    }
    await this.sendPlainLanes(lanes);
    await this.sendReorderedLanes(lanes);
    await this.sendMalformed(raw);
    await this.sendDuplicates(raw);
  }

  /** Lanes without a reordered pair: stamped per producer, sent together in batched calls. */
  private async sendPlainLanes(lanes: ReadonlyMap<string, ScenarioStep[]>): Promise<void> {
    const plain = [...lanes.entries()].filter(([, steps]) =>
      steps.every((x) => x.kind === "event"),
    );
    const tick = await this.transport.publishTick(
      plain.map(([producerId, steps]) => [producerId, steps.flatMap(draftsOfEvent)] as const),
    );
    this.remember(tick.events);
    for (const o of tick.outcomes) record(this.rec, "event", o);
  }

  /** Lanes with a reordered pair, `concurrency` at a time. */
  private async sendReorderedLanes(lanes: ReadonlyMap<string, ScenarioStep[]>): Promise<void> {
    const queue = [...lanes.entries()].filter(([, steps]) => steps.some((x) => x.kind !== "event"));
    const workers = Array.from({ length: Math.min(this.concurrency, queue.length) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await this.runLane(...next);
    });
    await Promise.all(workers);
  }

  /** A lane with a reordered pair keeps its order: its events up to the pair, the pair late-first. */
  private async runLane(producerId: string, steps: readonly ScenarioStep[]): Promise<void> {
    let batch: AnyEventDraft[] = [];
    const publishBatch = async (): Promise<void> => {
      if (batch.length === 0) return;
      const { outcomes, events } = await this.transport.publish(producerId, batch);
      batch = [];
      this.remember(events);
      for (const o of outcomes) record(this.rec, "event", o);
    };
    for (const step of steps) {
      if (step.kind === "event") batch.push(step.draft);
      else if (step.kind === "reorder") {
        await publishBatch();
        const { outcomes, events } = await this.transport.publishReversed(producerId, step.drafts);
        this.remember(events);
        for (const o of outcomes) record(this.rec, "reordered", o);
      }
    }
    await publishBatch();
  }

  private async sendMalformed(raw: readonly ScenarioStep[]): Promise<void> {
    const malformed = raw.flatMap((s) => (s.kind === "malformed" ? [s.entry] : []));
    if (malformed.length === 0) return;
    for (const o of await this.transport.sendRaw(malformed)) record(this.rec, "malformed", o);
  }

  /** Duplicates re-send an entry sent earlier byte for byte; one never sent is recorded failed. */
  private async sendDuplicates(raw: readonly ScenarioStep[]): Promise<void> {
    const duplicates: { eventId: string; entry: Entry }[] = [];
    for (const s of raw) {
      if (s.kind !== "duplicate") continue;
      const entry = this.sentEntries.get(s.eventId);
      if (entry) duplicates.push({ eventId: s.eventId, entry });
      else
        record(this.rec, "duplicate", {
          type: "unknown",
          eventId: s.eventId,
          errorCode: "OriginalNotSent",
          errorMessage: `event ${s.eventId} was not accepted earlier, so there is nothing to duplicate`,
        });
    }
    if (duplicates.length === 0) return;
    const outcomes = await this.transport.sendRaw(duplicates.map((d) => d.entry));
    outcomes.forEach((o, i) => {
      record(this.rec, "duplicate", { ...o, eventId: duplicates[i]?.eventId ?? o.eventId ?? "" });
    });
  }

  private remember(events: readonly AnyCityEvent[]): void {
    for (const e of events) {
      this.sentEntries.set(e.detail.meta.eventId, putEventsEntryOf(e, this.busName));
      if (this.sentEntries.size > DUPLICATE_WINDOW) {
        const oldest = this.sentEntries.keys().next().value;
        if (oldest !== undefined) this.sentEntries.delete(oldest);
      }
    }
  }
}
