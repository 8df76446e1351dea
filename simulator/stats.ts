/** Counting what the runner sent: per type, per failure code, per kind of delivery. */
import type { EntryOutcome } from "./transport.ts";

export type DeliveryKind = "event" | "reordered" | "duplicate" | "malformed";

/** A snapshot of a run, for progress displays and the final summary. */
export interface Progress {
  readonly elapsedMs: number;
  /** Entries the bus accepted, of every kind. */
  readonly sent: number;
  /** Accepted entries per detail-type (duplicates and malformed included under their type). */
  readonly sentByType: Readonly<Record<string, number>>;
  /** Entries that failed (publisher validation, bus errors, transport errors). */
  readonly failures: number;
  readonly failuresByCode: Readonly<Record<string, number>>;
  /** Malformed entries sent raw (whether the bus accepted them or not). */
  readonly malformedSent: number;
  /** Of those, how many the bus itself refused (e.g. MalformedDetail). */
  readonly malformedRejectedByBus: number;
  /** Duplicate deliveries the bus accepted. */
  readonly duplicatesSent: number;
  /** Events delivered out of order (each reordered pair counts 2). */
  readonly outOfOrderSent: number;
  /** Accepted entries per second of elapsed time. */
  readonly actualRate: number;
  /** The first failures, for diagnosis (at most 20). */
  readonly sampleFailures: readonly EntryOutcome[];
}

export interface Recorder {
  sent: number;
  sentByType: Record<string, number>;
  failures: number;
  failuresByCode: Record<string, number>;
  malformedSent: number;
  malformedRejectedByBus: number;
  duplicatesSent: number;
  outOfOrderSent: number;
  acceptedEventIds: string[];
  acceptedEventIdsTruncated: boolean;
  readonly maxAcceptedIds: number;
  sampleFailures: EntryOutcome[];
}

export function newRecorder(maxAcceptedIds: number): Recorder {
  return {
    sent: 0,
    sentByType: {},
    failures: 0,
    failuresByCode: {},
    malformedSent: 0,
    malformedRejectedByBus: 0,
    duplicatesSent: 0,
    outOfOrderSent: 0,
    acceptedEventIds: [],
    acceptedEventIdsTruncated: false,
    maxAcceptedIds,
    sampleFailures: [],
  };
}

export function record(r: Recorder, kind: DeliveryKind, o: EntryOutcome): void {
  if (kind === "malformed") {
    r.malformedSent += 1;
    if (o.errorCode) r.malformedRejectedByBus += 1;
    else {
      r.sent += 1;
      r.sentByType[o.type] = (r.sentByType[o.type] ?? 0) + 1;
    }
    return;
  }
  if (o.errorCode) {
    r.failures += 1;
    r.failuresByCode[o.errorCode] = (r.failuresByCode[o.errorCode] ?? 0) + 1;
    if (r.sampleFailures.length < 20) r.sampleFailures.push(o);
    return;
  }
  r.sent += 1;
  r.sentByType[o.type] = (r.sentByType[o.type] ?? 0) + 1;
  if (kind === "duplicate") r.duplicatesSent += 1;
  else {
    if (kind === "reordered") r.outOfOrderSent += 1;
    if (o.eventId && r.acceptedEventIds.length < r.maxAcceptedIds)
      r.acceptedEventIds.push(o.eventId);
    else if (o.eventId) r.acceptedEventIdsTruncated = true;
  }
}

export function snapshot(r: Recorder, elapsedMs: number): Progress {
  return {
    elapsedMs,
    sent: r.sent,
    sentByType: { ...r.sentByType },
    failures: r.failures,
    failuresByCode: { ...r.failuresByCode },
    malformedSent: r.malformedSent,
    malformedRejectedByBus: r.malformedRejectedByBus,
    duplicatesSent: r.duplicatesSent,
    outOfOrderSent: r.outOfOrderSent,
    actualRate: elapsedMs > 0 ? Math.round((r.sent / elapsedMs) * 1000 * 10) / 10 : 0,
    sampleFailures: [...r.sampleFailures],
  };
}
