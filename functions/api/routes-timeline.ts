/**
 * Timeline routes (docs/API.md): an incident's or a correlation id's events across streams,
 * ordered by happened-before (functions/api/timeline.ts), paged, as JSON or mermaid.
 */
import { CorrelationIdSchema } from "../../events/envelope.ts";
import type { ApiDeps, RouteAnswer } from "./deps.ts";
import { invalidParameter, notFound } from "./errors.ts";
import {
  type ApiRequest,
  cursorParam,
  enumParam,
  instantParam,
  intParam,
  onlyParams,
  pageOf,
} from "./http.ts";
import {
  correlationStory,
  incidentStory,
  MAX_HORIZON_MS,
  type Story,
  type StoryWindow,
} from "./story.ts";
import { buildTimeline, timelineEventOf } from "./timeline.ts";
import { timelineJson, timelineMermaid } from "./timeline-render.ts";

const PARAMS = ["limit", "cursor", "format", "horizonMinutes"];

function windowOf(req: ApiRequest): StoryWindow {
  const horizon = intParam(req, "horizonMinutes", {
    min: 1,
    max: MAX_HORIZON_MS / 60_000,
    fallback: 60,
  });
  const from = instantParam(req, "from");
  return { horizonMs: (horizon ?? 60) * 60_000, ...(from ? { from } : {}) };
}

function answer(req: ApiRequest, story: Story, list: string): RouteAnswer {
  const format = enumParam(req, "format", ["json", "mermaid"], "json");
  const timeline = buildTimeline(story.events.map(timelineEventOf));
  if (format === "mermaid") return { text: timelineMermaid(timeline), type: "text/vnd.mermaid" };
  const limit = intParam(req, "limit", { min: 1, max: 1000, fallback: 200 }) ?? 200;
  const at = cursorParam(req, list);
  const page = pageOf(timeline.events, typeof at === "number" ? at : 0, limit, list);
  return { json: { ...timelineJson(story, timeline, page.items), nextCursor: page.nextCursor } };
}

function checkId(name: string, id: string): void {
  if (!CorrelationIdSchema.safeParse(id).success) {
    throw invalidParameter(
      name,
      id,
      "1-128 letters, digits and . _ : - (starting with a letter or digit)",
    );
  }
}

/** `GET /api/incidents/{id}/timeline` */
export async function incidentTimeline(
  deps: ApiDeps,
  req: ApiRequest,
  id: string,
): Promise<RouteAnswer> {
  onlyParams(req, PARAMS);
  checkId("id", id);
  const story = await incidentStory(deps.store, id, windowOf(req));
  if (!story) {
    throw notFound(
      `incident ${id}`,
      "incident ids look like inc-fire-<hash> (the incidentId of IncidentOpened)",
    );
  }
  return answer(req, story, `incident:${id}`);
}

/** `GET /api/timelines/{correlationId}?from=ISO` */
export async function correlationTimeline(
  deps: ApiDeps,
  req: ApiRequest,
  id: string,
): Promise<RouteAnswer> {
  onlyParams(req, [...PARAMS, "from"]);
  checkId("correlationId", id);
  const story = await correlationStory(deps.store, id, windowOf(req));
  if (!story) {
    throw notFound(
      `correlation id ${id}`,
      "no stored event carries it in the window read; widen it with horizonMinutes or give from=<ISO>",
    );
  }
  return answer(req, story, `correlation:${id}`);
}
