/**
 * Event-store and intersection routes (docs/API.md): a stream's events (paged by version), its
 * state at an instant or version, an intersection's read model.
 */
import { INTERSECTION_PATTERN, STREAM_ID_PATTERN } from "../../events/envelope.ts";
import type { StoredEvent } from "../event-store/port.ts";
import type { IntersectionState } from "../traffic/intersection.ts";
import { intersectionKey } from "../traffic/service.ts";
import type { ApiDeps, RouteAnswer } from "./deps.ts";
import { ApiError, invalidParameter, notFound } from "./errors.ts";
import {
  type ApiRequest,
  cursorParam,
  encodeCursor,
  instantParam,
  intParam,
  onlyParams,
} from "./http.ts";

const STREAM_HINT =
  "stream ids look like alert#<id>, incident#<id>, intersection#<id>, zone#<id> (URL-encode # as %23)";

function checkStreamId(streamId: string): void {
  if (!STREAM_ID_PATTERN.test(streamId)) {
    throw invalidParameter("streamId", streamId, STREAM_HINT);
  }
}

async function mustExist(deps: ApiDeps, streamId: string): Promise<void> {
  if ((await deps.store.readStream(streamId, 1, 1)).length === 0) {
    throw notFound(`stream ${JSON.stringify(streamId)}`, STREAM_HINT);
  }
}

/** `GET /api/streams/{streamId}?fromVersion=&limit=&cursor=` */
export async function streamEvents(
  deps: ApiDeps,
  req: ApiRequest,
  streamId: string,
): Promise<RouteAnswer> {
  onlyParams(req, ["fromVersion", "limit", "cursor"]);
  checkStreamId(streamId);
  const limit = intParam(req, "limit", { min: 1, max: 500, fallback: 100 }) ?? 100;
  const cursor = cursorParam(req, `stream:${streamId}`);
  if (cursor !== undefined && req.query.fromVersion !== undefined) {
    throw new ApiError(400, "InvalidParameter", "give either cursor or fromVersion, not both");
  }
  const from =
    typeof cursor === "number"
      ? cursor
      : (intParam(req, "fromVersion", { min: 1, max: 9_999_999_999, fallback: 1 }) ?? 1);
  // One event more than the page tells whether another page follows.
  const events: StoredEvent[] = await deps.store.readStream(streamId, from, from + limit);
  if (events.length === 0 && from === 1)
    throw notFound(`stream ${JSON.stringify(streamId)}`, STREAM_HINT);
  const page = events.slice(0, limit);
  const last = page.at(-1);
  return {
    json: {
      streamId,
      fromVersion: from,
      events: page,
      nextCursor:
        events.length > limit && last ? encodeCursor(`stream:${streamId}`, last.version + 1) : null,
    },
  };
}

/** `GET /api/streams/{streamId}/state?asOf=ISO | version=N` */
export async function streamState(
  deps: ApiDeps,
  req: ApiRequest,
  streamId: string,
): Promise<RouteAnswer> {
  onlyParams(req, ["asOf", "version"]);
  checkStreamId(streamId);
  const asOf = instantParam(req, "asOf");
  const version = intParam(req, "version", { min: 1, max: 9_999_999_999 });
  if (asOf !== undefined && version !== undefined) {
    throw new ApiError(400, "InvalidParameter", "give either asOf or version, not both");
  }
  await mustExist(deps, streamId);
  const at =
    asOf !== undefined
      ? await deps.store.stateAt(streamId, asOf)
      : await deps.store.state(streamId, version);
  return {
    json: {
      streamId,
      asOf: asOf ?? null,
      requestedVersion: version ?? null,
      version: at.version,
      state: at.state,
    },
  };
}

/** `GET /api/intersections/{id}`: lights, mode, last applied sequence per controller. */
export async function intersection(
  deps: ApiDeps,
  req: ApiRequest,
  id: string,
): Promise<RouteAnswer> {
  onlyParams(req, []);
  if (!INTERSECTION_PATTERN.test(id)) {
    throw invalidParameter("id", id, "an intersection id like i-12 (i- + digits)");
  }
  const key = intersectionKey(id);
  const doc = await deps.docs.get<IntersectionState>(key.pk, key.sk);
  if (!doc) {
    throw notFound(
      `intersection ${id}`,
      "the traffic service keeps an intersection once it has seen an event of it",
    );
  }
  return { json: intersectionView(doc.value) };
}

export function intersectionView(s: IntersectionState) {
  const sequences = Object.values(s.lastSequence);
  return {
    intersectionId: s.intersectionId,
    zone: s.zone,
    lights: s.lights ?? null,
    /** normal; emergency (an accident closed it); preempted (an emergency route's pre-emption). */
    mode: s.mode,
    modeIncidentId: s.modeIncidentId ?? null,
    lastAppliedSequence: sequences.length ? Math.max(...sequences) : null,
    lastSequenceBySource: s.lastSequence,
    heldChanges: s.held.length,
    appliedChanges: s.appliedChanges,
    violations: s.violations,
    lastChangeAt: s.lastChangeAt ?? null,
    density: s.density ?? null,
  };
}
