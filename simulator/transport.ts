/**
 * How the runner reaches the bus: one `CityEventPublisher` per producer id (each stamps its own
 * sequence and Lamport clock, in "capture" mode: nothing is sent), and the stamped events of a
 * tick, whatever their producers, sent together by the publisher's batch API; plus a raw path for fault injection (duplicates, reordered pairs,
 * malformed entries) that sends PutEvents entries as they are, bypassing validation.
 *
 * Out-of-order pairs are stamped the same way (so sequence n, n+1 come from the same counter as
 * the producer's other events); the runner then delivers them in reverse, one call each.
 */
import {
  PutEventsCommand,
  type PutEventsCommandOutput,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import type { AnyCityEvent } from "../events/catalog.ts";
import type { AnyEventDraft } from "../events/draft.ts";
import { InvalidEventError, PublishFailedError } from "../events/errors.ts";
import { CityEventPublisher, type PutEventsPort, putEventsEntryOf } from "../events/publisher.ts";
import type { RetryPolicy } from "../events/publisher-policy.ts";
import type { RawEntry } from "./steps.ts";

/** The outcome of one entry sent. */
export interface EntryOutcome {
  readonly type: string;
  readonly eventId?: string;
  /** AWS error code (or InvalidEvent / the exception name) when it failed. */
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

function failed(d: AnyEventDraft, errorCode: string, errorMessage: string): EntryOutcome {
  return { type: d.type, ...(d.eventId ? { eventId: d.eventId } : {}), errorCode, errorMessage };
}

/** A port that forwards to the client, or records the entries while capturing. */
class CapturingPort implements PutEventsPort {
  captured: PutEventsRequestEntry[] | undefined;
  constructor(private readonly client: PutEventsPort) {}

  async send(command: PutEventsCommand): Promise<PutEventsCommandOutput> {
    const entries = command.input.Entries ?? [];
    if (this.captured) {
      this.captured.push(...entries);
      return {
        $metadata: {},
        FailedEntryCount: 0,
        Entries: entries.map((_, i) => ({ EventId: `captured-${i}` })),
      };
    }
    return this.client.send(command);
  }
}

export interface TransportOptions {
  readonly client: PutEventsPort;
  readonly busName: string;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly retry?: Partial<RetryPolicy>;
  /**
   * Appended to every device id to make the wire producer id (`tlc-i-12:<runTag>`): each run is
   * a new producer session whose sequence starts at 1, so a second run against the same
   * deployment is not mistaken for old, duplicate numbers. Empty: the bare device id.
   */
  readonly runTag?: string;
}

export class SimulatorTransport {
  readonly #publishers = new Map<string, { publisher: CityEventPublisher; port: CapturingPort }>();
  /** Sends what the producers' publishers stamped (its own producer id is never stamped). */
  readonly #sender: CityEventPublisher;

  constructor(private readonly o: TransportOptions) {
    this.#sender = new CityEventPublisher({
      busName: o.busName,
      producerId: "simulator",
      client: o.client,
      random: o.random,
      sleep: o.sleep,
      now: o.now,
      ...(o.retry ? { retry: o.retry } : {}),
    });
  }

  #publisherOf(producerId: string): { publisher: CityEventPublisher; port: CapturingPort } {
    let p = this.#publishers.get(producerId);
    if (!p) {
      const port = new CapturingPort(this.o.client);
      const publisher = new CityEventPublisher({
        busName: this.o.busName,
        producerId: this.o.runTag ? `${producerId}:${this.o.runTag}` : producerId,
        client: port,
        random: this.o.random,
        sleep: this.o.sleep,
        now: this.o.now,
        ...(this.o.retry ? { retry: this.o.retry } : {}),
      });
      p = { publisher, port };
      this.#publishers.set(producerId, p);
    }
    return p;
  }

  /**
   * Publish one producer's drafts through its publisher. Never throws: every draft gets an
   * outcome. An invalid draft fails alone; its valid neighbours are published.
   */
  async publish(
    producerId: string,
    drafts: readonly AnyEventDraft[],
  ): Promise<{ outcomes: EntryOutcome[]; events: AnyCityEvent[] }> {
    return this.publishTick([[producerId, drafts]]);
  }

  /**
   * Publish the drafts of several producers due in one tick: each producer's publisher stamps its
   * own (sequence, Lamport clock), then all the stamped events go out together through the
   * publisher's batch API (`resend`: ≤ 10 entries and 256 KiB per PutEvents call, in order, with
   * its retries), so a tick costs one call per ten events instead of one per producer. Never
   * throws: every draft gets an outcome; an invalid draft fails alone.
   */
  async publishTick(
    lanes: readonly (readonly [string, readonly AnyEventDraft[]])[],
  ): Promise<{ outcomes: EntryOutcome[]; events: AnyCityEvent[] }> {
    const outcomes: EntryOutcome[] = [];
    const stamped: AnyCityEvent[] = [];
    for (const [producerId, drafts] of lanes) {
      const lane = await this.#stamp(producerId, drafts);
      outcomes.push(...lane.outcomes);
      stamped.push(...lane.events);
    }
    if (stamped.length === 0) return { outcomes, events: [] };
    const sent = await this.#sendStamped(stamped);
    return { outcomes: [...outcomes, ...sent.outcomes], events: sent.events };
  }

  /** Stamps one producer's drafts (capture mode: nothing is sent). Invalid drafts fail alone. */
  async #stamp(
    producerId: string,
    drafts: readonly AnyEventDraft[],
  ): Promise<{ outcomes: EntryOutcome[]; events: AnyCityEvent[] }> {
    const { publisher, port } = this.#publisherOf(producerId);
    port.captured = [];
    try {
      return { outcomes: [], events: await publisher.publish(drafts) };
    } catch (error) {
      if (!(error instanceof InvalidEventError)) {
        const message = error instanceof Error ? error.message : String(error);
        const code = error instanceof Error ? error.name : "UnknownError";
        return { outcomes: drafts.map((d) => failed(d, code, message)), events: [] };
      }
      const bad = new Set(error.problems.map((p) => p.index));
      const rejected = drafts.filter((_, i) => bad.has(i));
      const valid = drafts.filter((_, i) => !bad.has(i));
      const outcomes = (rejected.length === 0 ? drafts : rejected).map((d) =>
        failed(d, "InvalidEvent", error.message),
      );
      // all invalid, or the problems name no draft: every draft failed
      if (rejected.length === 0 || valid.length === 0) return { outcomes, events: [] };
      port.captured = [];
      return { outcomes, events: await publisher.publish(valid) };
    } finally {
      port.captured = undefined;
    }
  }

  /** Sends stamped events of any producers in batched calls; an outcome per event. */
  async #sendStamped(
    events: readonly AnyCityEvent[],
  ): Promise<{ outcomes: EntryOutcome[]; events: AnyCityEvent[] }> {
    const ok = (e: AnyCityEvent): EntryOutcome => ({
      type: e.detailType,
      eventId: e.detail.meta.eventId,
    });
    try {
      const sent = await this.#sender.resend(events);
      return { outcomes: sent.map(ok), events: sent };
    } catch (error) {
      if (error instanceof PublishFailedError) {
        const published = new Set(error.publishedEventIds);
        const accepted = events.filter((e) => published.has(e.detail.meta.eventId));
        const outcomes: EntryOutcome[] = [
          ...error.failed.map((f) => ({
            type: f.type,
            eventId: f.eventId,
            errorCode: f.errorCode,
            errorMessage: f.errorMessage,
          })),
          ...accepted.map(ok),
        ];
        return { outcomes, events: accepted };
      }
      const message = error instanceof Error ? error.message : String(error);
      const code = error instanceof Error ? error.name : "UnknownError";
      return {
        outcomes: events.map((e) => ({ ...ok(e), errorCode: code, errorMessage: message })),
        events: [],
      };
    }
  }

  /**
   * Stamp two drafts of one producer in order (sequence n, n+1) and deliver them reversed.
   * Returns the outcomes in delivery order and the stamped events.
   */
  async publishReversed(
    producerId: string,
    drafts: readonly [AnyEventDraft, AnyEventDraft],
  ): Promise<{ outcomes: EntryOutcome[]; events: AnyCityEvent[] }> {
    const { publisher, port } = this.#publisherOf(producerId);
    port.captured = [];
    let events: AnyCityEvent[];
    try {
      events = await publisher.publish(drafts);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return {
        outcomes: drafts.map((d) => ({
          type: d.type,
          errorCode: "InvalidEvent",
          errorMessage: message,
        })),
        events: [],
      };
    } finally {
      port.captured = undefined;
    }
    const outcomes: EntryOutcome[] = [];
    for (const event of [...events].reverse()) {
      const [o] = await this.sendRaw([putEventsEntryOf(event, this.o.busName)]);
      if (o) outcomes.push({ ...o, type: event.detailType, eventId: event.detail.meta.eventId });
    }
    return { outcomes, events };
  }

  /** Send entries as they are (≤ 10 per call), bypassing validation. Never throws. */
  async sendRaw(entries: readonly (RawEntry | PutEventsRequestEntry)[]): Promise<EntryOutcome[]> {
    const outcomes: EntryOutcome[] = [];
    for (let i = 0; i < entries.length; i += 10) {
      const batch = entries
        .slice(i, i + 10)
        .map((e) => ({ ...e, EventBusName: this.o.busName }) as PutEventsRequestEntry);
      try {
        const out = await this.o.client.send(new PutEventsCommand({ Entries: batch }));
        batch.forEach((e, k) => {
          const r = out.Entries?.[k];
          outcomes.push({
            type: e.DetailType ?? "",
            ...(r?.EventId ? { eventId: r.EventId } : {}),
            ...(r?.ErrorCode
              ? { errorCode: r.ErrorCode, errorMessage: r.ErrorMessage ?? "" }
              : r?.EventId
                ? {}
                : {
                    errorCode: "MissingResultEntry",
                    errorMessage: "PutEvents returned no result",
                  }),
          });
        });
      } catch (error) {
        const code = error instanceof Error ? error.name : "UnknownError";
        const message = error instanceof Error ? error.message : String(error);
        for (const e of batch)
          outcomes.push({ type: e.DetailType ?? "", errorCode: code, errorMessage: message });
      }
    }
    return outcomes;
  }
}
