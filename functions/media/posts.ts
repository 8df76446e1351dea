/** What the press gets from a public-safe event, and how several merge into one post. Pure. */
import type { AnyCityEvent } from "../../events/catalog.ts";
import type { PUBLIC_TYPES } from "../../events/names.ts";

export type PublicType = (typeof PUBLIC_TYPES)[number];

/** A public-safe event waiting to be posted. */
export interface PendingItem {
  readonly eventId: string;
  readonly correlationId: string;
  readonly lamport: number;
  readonly type: PublicType;
  readonly zone: string;
  readonly occurredAt: string;
  readonly line: string;
}

export function pendingItemOf(event: AnyCityEvent): PendingItem | undefined {
  const meta = event.detail.meta;
  const base = {
    eventId: meta.eventId,
    correlationId: meta.correlationId,
    lamport: meta.lamport,
    zone: meta.zone,
    occurredAt: meta.occurredAt,
  };
  switch (event.detailType) {
    case "WeatherAlertIssued":
      return {
        ...base,
        type: event.detailType,
        line: `${event.detail.level} weather alert: ${event.detail.headline}`,
      };
    case "WeatherAlertCancelled":
      return {
        ...base,
        type: event.detailType,
        line: `Weather alert ${event.detail.alertId} cancelled: ${event.detail.reason}`,
      };
    case "AccidentDetected":
      return {
        ...base,
        type: event.detailType,
        line: `Accident at ${event.detail.location.address ?? event.detail.location.intersectionId ?? event.detail.location.zone}; ${event.detail.lanesBlocked} lane(s) blocked.`,
      };
    case "TrafficRerouted":
      return { ...base, type: event.detailType, line: event.detail.publicMessage };
    case "PublicEventStarted":
      return {
        ...base,
        type: event.detailType,
        line: `${event.detail.name} has started at ${event.detail.venue} (${event.detail.expectedAttendance} expected).`,
      };
    default:
      return undefined;
  }
}

export interface Post {
  readonly headline: string;
  readonly body: string;
}

/** One post for one or many items of a zone (newest first in the body). */
export function mergePost(zone: string, items: readonly PendingItem[]): Post {
  const sorted = [...items].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  const first = sorted[0];
  const headline =
    sorted.length === 1 && first ? first.line : `${sorted.length} city updates for zone ${zone}`;
  return {
    headline: headline.slice(0, 280),
    body: sorted
      .map((i) => `• ${i.line}`)
      .join("\n")
      .slice(0, 2000),
  };
}
