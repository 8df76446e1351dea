/**
 * HTTP plumbing of the city API: API Gateway HTTP API (payload format 2.0) events in, JSON
 * responses out; query parameters checked one by one with errors that name them; opaque cursors
 * bound to the list they page (docs/API.md, "Pagination").
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { ApiError, invalidParameter } from "./errors.ts";

export type ApiEvent = APIGatewayProxyEventV2;
export type ApiResult = APIGatewayProxyStructuredResultV2;

/** A request as the routes see it: method, decoded path segments, query parameters. */
export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string | undefined>>;
}

export function requestOf(event: ApiEvent): ApiRequest {
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath,
    query: event.queryStringParameters ?? {},
  };
}

export function json(status: number, body: unknown): ApiResult {
  return {
    statusCode: status,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  };
}

export function text(status: number, body: string, contentType: string): ApiResult {
  return { statusCode: status, headers: { "content-type": contentType }, body };
}

export function errorResult(error: ApiError): ApiResult {
  return json(error.status, { error: { code: error.code, message: error.message } });
}

/** Rejects query parameters a route does not know (a typo must not be silently ignored). */
export function onlyParams(req: ApiRequest, allowed: readonly string[]): void {
  for (const name of Object.keys(req.query)) {
    if (!allowed.includes(name)) {
      throw new ApiError(
        400,
        "InvalidParameter",
        `unknown query parameter ${JSON.stringify(name)}; this route takes ${allowed.length ? allowed.join(", ") : "none"}`,
      );
    }
  }
}

/** An integer query parameter in [min, max], or `fallback` when absent. */
export function intParam(
  req: ApiRequest,
  name: string,
  rule: { min: number; max: number; fallback?: number },
): number | undefined {
  const raw = req.query[name];
  if (raw === undefined || raw === "") return rule.fallback;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n) || n < rule.min || n > rule.max) {
    throw invalidParameter(name, raw, `an integer from ${rule.min} to ${rule.max}`);
  }
  return n;
}

/** An ISO-8601 instant (with a zone), normalised to UTC. */
export function instantParam(req: ApiRequest, name: string): string | undefined {
  const raw = req.query[name];
  if (raw === undefined || raw === "") return undefined;
  const ms = Date.parse(raw);
  if (
    !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(raw) ||
    Number.isNaN(ms)
  ) {
    throw invalidParameter(name, raw, "an ISO-8601 instant with a zone, e.g. 2026-11-23T10:03:00Z");
  }
  return new Date(ms).toISOString();
}

/** One of a fixed set of values. */
export function enumParam<T extends string>(
  req: ApiRequest,
  name: string,
  values: readonly T[],
  fallback: T,
): T {
  const raw = req.query[name];
  if (raw === undefined || raw === "") return fallback;
  if (!(values as readonly string[]).includes(raw)) {
    throw invalidParameter(name, raw, `one of ${values.join(", ")}`);
  }
  return raw as T;
}

/**
 * An opaque cursor: base64url JSON of `{ list, at }`, where `list` names the list it pages
 * (a cursor of another list is refused) and `at` is where the next page starts.
 */
export function encodeCursor(list: string, at: string | number): string {
  return Buffer.from(JSON.stringify({ list, at })).toString("base64url");
}

export function cursorParam(req: ApiRequest, list: string): string | number | undefined {
  const raw = req.query.cursor;
  if (raw === undefined || raw === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  const c = parsed as { list?: unknown; at?: unknown } | undefined;
  if (!c || c.list !== list || (typeof c.at !== "string" && typeof c.at !== "number")) {
    throw new ApiError(
      400,
      "InvalidCursor",
      `cursor=${JSON.stringify(raw)} is not a cursor of this list; pass the nextCursor of the previous page of the same request`,
    );
  }
  return c.at;
}

/** A page of `items` from index `start`, with the cursor of the next page (null at the end). */
export function pageOf<T>(
  items: readonly T[],
  start: number,
  limit: number,
  list: string,
): { items: T[]; nextCursor: string | null } {
  const page = items.slice(start, start + limit);
  const next = start + limit < items.length ? encodeCursor(list, start + limit) : null;
  return { items: page, nextCursor: next };
}
