/**
 * Derived events go back on the bus through the events catalog's CityEventPublisher, with ids
 * derived from the cause (a retried handler re-emits the same ids; the store deduplicates).
 * Port + in-memory bus (a PutEvents fake under the real publisher) for unit tests.
 */
import type { PutEventsCommand, PutEventsCommandOutput } from "@aws-sdk/client-eventbridge";
import type { AnyCityEvent } from "../../events/catalog.ts";
import {
  type CauseEvent,
  CityEventPublisher,
  type DerivedDraft,
  type PutEventsPort,
} from "../../events/publisher.ts";
import { parseCityEvent } from "../../events/validate.ts";

export type { CauseEvent, DerivedDraft };

/** Port: publish events derived from a cause. CityEventPublisher implements it. */
export interface DerivedEventSink {
  publishDerived(cause: CauseEvent, drafts: readonly DerivedDraft[]): Promise<AnyCityEvent[]>;
}

/** The producer id prefix of a service's derived events; the publisher stamps "svc-<service>/<instanceId>". */
export const producerIdOf = (service: string) => `svc-${service}`;

/** An in-memory EventBridge PutEvents endpoint: accepts every entry and keeps the events. */
export class InMemoryBus implements PutEventsPort {
  readonly events: AnyCityEvent[] = [];
  /** Fail the next n calls (fault injection for retry paths). */
  failNextCalls = 0;

  async send(command: PutEventsCommand): Promise<PutEventsCommandOutput> {
    if (this.failNextCalls > 0) {
      this.failNextCalls -= 1;
      throw Object.assign(new Error("InMemoryBus: injected failure"), {
        name: "InternalException",
      });
    }
    const entries = command.input.Entries ?? [];
    for (const e of entries) {
      this.events.push(
        parseCityEvent({
          source: e.Source,
          "detail-type": e.DetailType,
          detail: JSON.parse(e.Detail ?? "{}"),
        }),
      );
    }
    return {
      FailedEntryCount: 0,
      Entries: entries.map((_, i) => ({ EventId: `mem-${this.events.length}-${i}` })),
      $metadata: {},
    };
  }

  ofType<T extends AnyCityEvent["detailType"]>(
    type: T,
  ): Extract<AnyCityEvent, { detailType: T }>[] {
    return this.events.filter((e) => e.detailType === type) as Extract<
      AnyCityEvent,
      { detailType: T }
    >[];
  }

  /** A real CityEventPublisher writing to this bus. */
  publisher(service: string, now: () => number = Date.now): CityEventPublisher {
    return new CityEventPublisher({
      busName: "in-memory",
      producerId: producerIdOf(service),
      client: this,
      now,
      sleep: async () => {},
    });
  }
}
