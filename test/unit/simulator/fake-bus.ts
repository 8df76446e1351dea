/** An in-memory PutEvents endpoint for the runner's unit tests (the port's in-memory adapter). */
import type {
  PutEventsCommand,
  PutEventsCommandOutput,
  PutEventsRequestEntry,
  PutEventsResultEntry,
} from "@aws-sdk/client-eventbridge";
import type { Clock } from "../../../functions/shared/clock.ts";

export interface Received {
  readonly entry: PutEventsRequestEntry;
  /** The clock's time when the entry arrived. */
  readonly at: number;
  /** Which PutEvents call carried it (1-based). */
  readonly call: number;
}

export class FakeBus {
  readonly received: Received[] = [];
  calls = 0;
  /** Fault injection: a result entry to return instead of success (called per entry). */
  fault: ((entry: PutEventsRequestEntry) => PutEventsResultEntry | undefined) | undefined;

  constructor(private readonly clock: Clock) {}

  async send(command: PutEventsCommand): Promise<PutEventsCommandOutput> {
    this.calls += 1;
    const entries = command.input.Entries ?? [];
    let failed = 0;
    const results = entries.map((entry, i): PutEventsResultEntry => {
      try {
        JSON.parse(entry.Detail ?? "");
      } catch {
        failed += 1;
        return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
      }
      const injected = this.fault?.(entry);
      if (injected) {
        failed += 1;
        return injected;
      }
      this.received.push({ entry, at: this.clock.now(), call: this.calls });
      return { EventId: `bus-${this.calls}-${i}` };
    });
    return { $metadata: {}, FailedEntryCount: failed, Entries: results };
  }

  /** The parsed details of the received entries of a detail-type (all when omitted). */
  details(type?: string): Array<Record<string, unknown> & { meta: Record<string, unknown> }> {
    return this.received
      .filter((r) => type === undefined || r.entry.DetailType === type)
      .map((r) => JSON.parse(r.entry.Detail ?? "{}"));
  }
}
