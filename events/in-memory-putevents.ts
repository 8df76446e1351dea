/**
 * The in-memory adapter of the publisher's port (`PutEventsPort`), for unit tests of producers
 * and handlers: it accepts PutEvents requests, keeps what it accepted (as entries and as parsed
 * city events), and can inject faults per call (partial failures, throttling, outages).
 * It imports only types from the AWS SDK.
 */
import type {
  PutEventsCommand,
  PutEventsCommandOutput,
  PutEventsRequestEntry,
  PutEventsResultEntry,
} from "@aws-sdk/client-eventbridge";
import type { AnyCityEvent } from "./catalog.ts";
import type { PutEventsPort } from "./publisher.ts";
import { parseCityEvent } from "./validate.ts";

/** What one call answers: per-entry results (undefined = accepted), or an error to throw. */
export type PutEventsScript = (
  entries: readonly PutEventsRequestEntry[],
  call: number,
) => (PutEventsResultEntry | undefined)[] | Error;

export class InMemoryPutEvents implements PutEventsPort {
  /** Every request's entries, in call order (accepted or not). */
  readonly calls: PutEventsRequestEntry[][] = [];
  /** Entries accepted, in order. */
  readonly accepted: PutEventsRequestEntry[] = [];
  readonly #scripts: PutEventsScript[] = [];
  #nextId = 1;

  /** Scripts the next calls, in order; unscripted calls accept everything. */
  script(...scripts: PutEventsScript[]): this {
    this.#scripts.push(...scripts);
    return this;
  }

  /** The accepted entries as parsed (validated) city events. */
  events(): AnyCityEvent[] {
    return this.accepted.map((e) =>
      parseCityEvent({
        source: e.Source,
        "detail-type": e.DetailType,
        detail: JSON.parse(e.Detail ?? "null"),
      }),
    );
  }

  async send(command: PutEventsCommand): Promise<PutEventsCommandOutput> {
    const entries = command.input.Entries ?? [];
    this.calls.push(entries);
    const script = this.#scripts.shift();
    const outcome = script ? script(entries, this.calls.length) : entries.map(() => undefined);
    if (outcome instanceof Error) throw outcome;
    const results = entries.map((entry, i): PutEventsResultEntry => {
      const r = outcome[i];
      if (r?.ErrorCode) return r;
      this.accepted.push(entry);
      return { EventId: `in-memory-${this.#nextId++}` };
    });
    return {
      FailedEntryCount: results.filter((r) => r.ErrorCode).length,
      Entries: results,
      $metadata: { httpStatusCode: 200 },
    };
  }
}

/** A script failing the entries at these positions with an AWS per-entry error code. */
export function failEntriesAt(
  positions: readonly number[],
  code = "InternalFailure",
  message = "Internal failure",
): PutEventsScript {
  return (entries) =>
    entries.map((_, i) =>
      positions.includes(i) ? { ErrorCode: code, ErrorMessage: message } : undefined,
    );
}

/** An SDK-like service error (name, HTTP status), to throw from a script. */
export function awsServiceError(
  name: string,
  status: number,
  message = `${name} (injected)`,
): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status },
  });
}
