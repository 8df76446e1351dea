/**
 * The city API's router: one handler for every route (docs/API.md), over the ports in deps.ts.
 * A bad parameter is a 400 naming it, an unknown id a 404, anything unexpected a 500 that is
 * logged and answered without internals.
 */
import type { ApiDeps, RouteAnswer } from "./deps.ts";
import { ApiError, isApiError } from "./errors.ts";
import {
  type ApiEvent,
  type ApiRequest,
  type ApiResult,
  errorResult,
  json,
  requestOf,
  text,
} from "./http.ts";
import { intersection, streamEvents, streamState } from "./routes-streams.ts";
import { correlationTimeline, incidentTimeline } from "./routes-timeline.ts";
import { zonesHourly, zonesLive, zonesWeekly } from "./routes-zones.ts";

type Handle = (deps: ApiDeps, req: ApiRequest, ...params: string[]) => Promise<RouteAnswer>;

/** Routes: a path pattern (segments, `{x}` captures one) and its GET handler. */
export const ROUTES: readonly { readonly path: string; readonly handle: Handle }[] = [
  { path: "/api/zones/live", handle: zonesLive },
  { path: "/api/zones/hourly-distribution", handle: zonesHourly },
  { path: "/api/zones/weekly-data", handle: zonesWeekly },
  { path: "/api/intersections/{id}", handle: intersection },
  { path: "/api/streams/{streamId}", handle: streamEvents },
  { path: "/api/streams/{streamId}/state", handle: streamState },
  { path: "/api/incidents/{id}/timeline", handle: incidentTimeline },
  { path: "/api/timelines/{correlationId}", handle: correlationTimeline },
];

function segments(path: string): string[] {
  return path.split("/").filter((s) => s.length > 0);
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    throw new ApiError(
      400,
      "InvalidParameter",
      `path segment ${JSON.stringify(segment)} is not valid URL encoding`,
      {
        cause: error,
      },
    );
  }
}

/** The route matching `path` and its captured parameters (decoded). */
export function match(path: string): { handle: Handle; params: string[] } | undefined {
  const parts = segments(path);
  for (const route of ROUTES) {
    const pattern = segments(route.path);
    if (pattern.length !== parts.length) continue;
    const params: string[] = [];
    const ok = pattern.every((p, i) => {
      const part = parts[i] ?? "";
      if (p.startsWith("{")) {
        params.push(decode(part));
        return true;
      }
      return p === part;
    });
    if (ok) return { handle: route.handle, params };
  }
  return undefined;
}

/** Answers one API Gateway HTTP API (payload 2.0) event. */
export async function answer(
  deps: ApiDeps,
  event: ApiEvent,
  onError: (error: unknown) => void = () => {},
): Promise<ApiResult> {
  try {
    const req = requestOf(event);
    const route = match(req.path);
    if (!route) {
      throw new ApiError(
        404,
        "RouteNotFound",
        `no route ${req.path}; routes: ${ROUTES.map((r) => `GET ${r.path}`).join(", ")} (see docs/API.md)`,
      );
    }
    if (req.method !== "GET") {
      throw new ApiError(
        405,
        "MethodNotAllowed",
        `${req.method} is not allowed on ${req.path}: the city API is read-only (GET)`,
      );
    }
    const out = await route.handle(deps, req, ...route.params);
    return "json" in out ? json(200, out.json) : text(200, out.text, out.type);
  } catch (error) {
    if (isApiError(error)) return errorResult(error);
    onError(error);
    return json(500, {
      error: {
        code: "InternalError",
        message: "the city API failed to answer; the error is in its log",
      },
    });
  }
}

/**
 * The Lambda handler over lazily built ports (built at the first request, not at import).
 * @example export const handler = apiHandler(lazy(buildApiDeps));
 */
export function apiHandler(
  deps: () => Promise<ApiDeps>,
  onError?: (error: unknown) => void,
): (event: ApiEvent) => Promise<ApiResult> {
  return async (event) => {
    let ready: ApiDeps;
    try {
      ready = await deps();
    } catch (error) {
      onError?.(error);
      return json(500, {
        error: {
          code: "InternalError",
          message: "the city API is misconfigured; the error is in its log",
        },
      });
    }
    return answer(ready, event, onError);
  };
}
