/**
 * The city API in the local cloud (docs/API.md, "Local cloud"): the gateway's `/api/` prefix
 * serves the deployed function's handler code (functions/api/app.ts) with the environment the
 * deployed function gets (the tables' names), each node request turned into an API Gateway HTTP
 * API (payload 2.0) event. SigV4 is not checked locally, as nowhere in the local cloud.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { apiHandler } from "../../functions/api/app.ts";
import type { ApiEvent, ApiResult } from "../../functions/api/http.ts";
import { API_RESOURCES, apiDeps } from "../../functions/api/runtime.ts";
import { lazy } from "../../functions/shared/kit.ts";
import { RESOURCE_LOGICAL_ID } from "../../infra/resources.ts";
import { RESOURCE_ENV } from "../../infra/topology.ts";
import { LOCAL_ACCOUNT } from "../account.ts";
import type { ResourceMap } from "../resource-map.ts";
import { LOCAL_CREDENTIALS } from "../targets.ts";

export interface LocalApi {
  /** Answers one request of the `/api/` prefix. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Releases the API's DynamoDB client. */
  close(): void;
}

/** The environment the deployed API function gets: its tables' names (RESOURCE_ENV). */
export function apiEnvOf(resources: ResourceMap): Record<string, string> {
  return Object.fromEntries(
    API_RESOURCES.map((ref) => {
      const table = resources.tables[RESOURCE_LOGICAL_ID[ref]];
      if (!table) throw new Error(`the local deployment has no ${RESOURCE_LOGICAL_ID[ref]}`);
      return [RESOURCE_ENV[ref], table.name];
    }),
  );
}

/** The API over the local cloud at `endpoint`, with the deployed function's environment. */
export function createLocalApi(options: {
  readonly endpoint: string;
  readonly region: string;
  readonly env: Readonly<Record<string, string>>;
  readonly onError?: (error: unknown) => void;
}): LocalApi {
  const dynamodb = new DynamoDBClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: LOCAL_CREDENTIALS,
  });
  const documents = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
  const handler = apiHandler(
    lazy(() => apiDeps(options.env, { documents })),
    options.onError,
  );
  return {
    handle: async (req, res) => write(res, await handler(httpApiEventOf(req))),
    close: () => dynamodb.destroy(),
  };
}

/** Mounts the API on a local cloud's gateway, over the tables of `resources`. */
export function mountLocalApi(
  gateway: { readonly url: string; readonly region: string; mountApi(api: LocalApi): void },
  resources: ResourceMap,
  onError?: (error: unknown) => void,
): LocalApi {
  const api = createLocalApi({
    endpoint: gateway.url,
    region: gateway.region,
    env: apiEnvOf(resources),
    ...(onError ? { onError } : {}),
  });
  gateway.mountApi(api);
  return api;
}

/** The gateway's `/api/` branch: the mounted API, or a 503 saying what is missing. */
export async function serveApi(
  api: LocalApi | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (api) return api.handle(req, res);
  write(res, {
    statusCode: 503,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      error: {
        code: "ServiceUnavailable",
        message: "the city API is served once the topology is deployed (buzzville local / up)",
      },
    }),
  });
}

/** An HTTP API payload 2.0 event of a node request (API Gateway joins repeated values with ","). */
export function httpApiEventOf(req: IncomingMessage): ApiEvent {
  const url = new URL(req.url ?? "/", "http://local");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  }
  const now = Date.now();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: "local",
      domainName: headers.host ?? "localhost",
      domainPrefix: (headers.host ?? "localhost").split(".")[0] ?? "localhost",
      http: {
        method: req.method ?? "GET",
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
  };
}

function write(res: ServerResponse, result: ApiResult): void {
  res.statusCode = result.statusCode ?? 200;
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    res.setHeader(name, String(value));
  }
  res.end(result.body ?? "");
}
