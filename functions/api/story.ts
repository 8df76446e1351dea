/**
 * Gathers the events of one story — an incident, or a correlation id — across streams (incident,
 * zone, alert, intersection) from the event store's public reads, without scanning the table
 * (docs/OPERATIONS.md, "Causal timelines"):
 *
 * - an incident: its own stream (`incident#<id>`, one query), then the correlation ids it carries;
 * - a correlation id: the time-bucket index (`readTimeRange`) over a window around the story's
 *   start, filtered by `meta.correlationId`. Correlation ids default to the first event's id, a
 *   ULID, whose time part says when the story began; for another id the caller gives `from`.
 *
 * Every derived event inherits its cause's correlation id, so the window holds the whole story
 * as long as it ends within `horizonMs` of its start.
 */
import { decodeTime } from "ulid";
import { isUlid } from "../../events/ids.ts";
import type { StoredEvent } from "../event-store/port.ts";
import { ApiError } from "./errors.ts";

/** The event store's reads a story needs (EventStore implements them). */
export interface StoryStore {
  readStream(streamId: string, fromVersion?: number, toVersion?: number): Promise<StoredEvent[]>;
  readTimeRange(from: string, to: string): Promise<StoredEvent[]>;
}

export interface StoryWindow {
  /** Read this long before the story's first known instant. @default 10 minutes */
  readonly lookBackMs?: number;
  /** Read this long after it. @default 60 minutes */
  readonly horizonMs?: number;
  /** The story's start, when the correlation id is not a ULID. */
  readonly from?: string;
}

export interface Story {
  readonly kind: "incident" | "correlation";
  readonly id: string;
  readonly correlationIds: readonly string[];
  /** The time range read from the time-bucket index. */
  readonly window: { readonly from: string; readonly to: string };
  readonly events: readonly StoredEvent[];
}

export const MAX_HORIZON_MS = 24 * 3_600_000;
const DEFAULTS = { lookBackMs: 10 * 60_000, horizonMs: 60 * 60_000 };

const correlationOf = (e: StoredEvent): string | undefined => {
  const id = (e.detail.meta as { correlationId?: unknown } | undefined)?.correlationId;
  return typeof id === "string" ? id : undefined;
};

function windowAround(
  firstMs: number,
  lastMs: number,
  w: StoryWindow,
): { from: string; to: string } {
  const from = firstMs - (w.lookBackMs ?? DEFAULTS.lookBackMs);
  const to = Math.max(lastMs, firstMs + (w.horizonMs ?? DEFAULTS.horizonMs));
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/** Events of the range whose correlation id is one of `ids`, plus `known`, once each. */
async function related(
  store: StoryStore,
  window: { from: string; to: string },
  ids: ReadonlySet<string>,
  known: readonly StoredEvent[],
): Promise<StoredEvent[]> {
  const inRange = (await store.readTimeRange(window.from, window.to)).filter((e) => {
    const c = correlationOf(e);
    return c !== undefined && ids.has(c);
  });
  return [...new Map([...known, ...inRange].map((e) => [e.eventId, e])).values()];
}

/** The story of an incident; undefined when its stream has no events. */
export async function incidentStory(
  store: StoryStore,
  incidentId: string,
  w: StoryWindow = {},
): Promise<Story | undefined> {
  const own = await store.readStream(`incident#${incidentId}`);
  if (own.length === 0) return undefined;
  const ids = new Set(own.flatMap((e) => correlationOf(e) ?? []));
  const instants = [
    ...own.map((e) => Date.parse(e.occurredAt)),
    ...[...ids].filter(isUlid).map((id) => decodeTime(id)),
  ].filter(Number.isFinite);
  const window = windowAround(Math.min(...instants), Math.max(...instants), w);
  const events = await related(store, window, ids, own);
  return { kind: "incident", id: incidentId, correlationIds: [...ids].sort(), window, events };
}

/** The story of a correlation id; undefined when no event in the window carries it. */
export async function correlationStory(
  store: StoryStore,
  correlationId: string,
  w: StoryWindow = {},
): Promise<Story | undefined> {
  const start = w.from !== undefined ? Date.parse(w.from) : startOf(correlationId);
  const window = windowAround(start, start, w);
  const events = await related(store, window, new Set([correlationId]), []);
  if (events.length === 0) return undefined;
  return {
    kind: "correlation",
    id: correlationId,
    correlationIds: [correlationId],
    window,
    events,
  };
}

function startOf(correlationId: string): number {
  if (isUlid(correlationId)) return decodeTime(correlationId);
  throw new ApiError(
    400,
    "MissingParameter",
    `correlation id ${JSON.stringify(correlationId)} is not a ULID, so when its story began is unknown: give from=<ISO-8601 instant>`,
  );
}
