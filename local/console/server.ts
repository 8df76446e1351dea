/**
 * The console's HTTP and WebSocket server (docs/OPERATIONS.md, "The console"): the page and its
 * assets from the project (uPlot from node_modules; nothing from the internet), the city API
 * proxied on `/api/` (same origin for the page), the dead-letter routes, and `/ws/live`, which
 * pushes the server-side aggregates at most twice a second. Writes and WebSocket upgrades from
 * another origin than the console's own are refused (403), as a browser tab on another site must
 * not redrive the city's DLQs.
 */
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { WebSocketServer } from "ws";
import { ConsoleRequestError } from "./dead-letters.ts";

export interface ConsoleRoutes {
  /** The city's layout, sent once. */
  layout(): unknown;
  deadLetters(): Promise<unknown>;
  redrive(logicalId: string, max: number | undefined): Promise<unknown>;
  /** The city API's base URL (…/api/), proxied for the page's reads. */
  readonly apiBase: string;
  /** The local cloud's recent traces (local/xray); undefined when tracing is off. */
  readonly traces?: ConsoleTraces;
}

export interface ConsoleTraces {
  /** Summaries, newest first: all, or those matching a trace id, event id, incident or correlation id. */
  search(query: string | undefined, limit: number): unknown;
  /** A trace's waterfall, or undefined when the store does not hold it. */
  get(traceId: string): unknown;
}

export interface ConsoleServer {
  readonly url: string;
  readonly port: number;
  /** Sends `message` to every connected page. */
  broadcast(message: unknown): void;
  /** Pages connected now. */
  readonly clients: number;
  /** Called with a send function for every page that connects (the first messages). */
  onConnect(greet: (send: (message: unknown) => void) => void): void;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);
const page = (file: string) => fileURLToPath(new URL(`./page/${file}`, import.meta.url));
const uplot = (file: string) => require.resolve(`uplot/dist/${file}`);

const ASSETS: Readonly<Record<string, { file: () => string; type: string }>> = {
  "/": { file: () => page("index.html"), type: "text/html; charset=utf-8" },
  "/assets/app.js": { file: () => page("app.js"), type: "text/javascript; charset=utf-8" },
  "/assets/map.js": { file: () => page("map.js"), type: "text/javascript; charset=utf-8" },
  "/assets/traces.js": { file: () => page("traces.js"), type: "text/javascript; charset=utf-8" },
  "/assets/app.css": { file: () => page("app.css"), type: "text/css; charset=utf-8" },
  "/assets/uPlot.js": { file: () => uplot("uPlot.iife.min.js"), type: "text/javascript" },
  "/assets/uPlot.css": { file: () => uplot("uPlot.min.css"), type: "text/css" },
};

const MAX_BODY = 64 * 1024;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.setHeader("cache-control", "no-store");
  res.end(JSON.stringify(body));
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } });
}

/**
 * The origins the console's own page has: its address, and localhost / 127.0.0.1 on its port.
 * Bound to every interface, also whatever address the browser used (the Host header), since
 * the LAN addresses cannot be listed; bound to loopback (the default), a page of another site
 * whose name was rebound to 127.0.0.1 still has a foreign Origin.
 */
export interface OwnOrigins {
  readonly origins: ReadonlySet<string>;
  readonly anyHost: boolean;
}

/** True when the request carries an Origin that is not the console's own. */
export function isForeignOrigin(req: IncomingMessage, own: OwnOrigins): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false; // not a browser (curl, the CLI): no cross-site risk
  if (own.origins.has(origin)) return false;
  return !(own.anyHost && origin === `http://${req.headers.host ?? ""}`);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) {
      throw new ConsoleRequestError(413, "RequestEntityTooLarge", `body over ${MAX_BODY} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // answered below
  }
  throw new ConsoleRequestError(400, "ValidationException", "the body must be a JSON object");
}

function maxOf(body: Record<string, unknown>): number | undefined {
  const max = body.max;
  if (max === undefined) return undefined;
  if (typeof max !== "number" || !Number.isInteger(max) || max < 1 || max > 100_000) {
    throw new ConsoleRequestError(
      400,
      "ValidationException",
      `max must be an integer from 1 to 100000, got ${JSON.stringify(max)}`,
    );
  }
  return max;
}

async function proxyApi(apiBase: string, req: IncomingMessage, res: ServerResponse) {
  const target = new URL((req.url ?? "/").slice("/api/".length), apiBase);
  if (!target.href.startsWith(apiBase)) {
    throw new ConsoleRequestError(400, "ValidationException", "the path must stay under /api/");
  }
  const upstream = await fetch(target);
  res.statusCode = upstream.status;
  res.setHeader("content-type", upstream.headers.get("content-type") ?? "application/json");
  res.end(Buffer.from(await upstream.arrayBuffer()));
}

async function route(
  routes: ConsoleRoutes,
  own: OwnOrigins,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const [path = "/", search = ""] = (req.url ?? "/").split("?");
  const method = req.method ?? "GET";
  if (method !== "GET" && method !== "HEAD" && isForeignOrigin(req, own)) {
    return fail(
      res,
      403,
      "AccessDenied",
      `cross-origin ${method} refused from ${req.headers.origin}`,
    );
  }
  const asset = ASSETS[path];
  if (asset && method === "GET") {
    res.setHeader("content-type", asset.type);
    return res.end(await readFile(asset.file()));
  }
  if (path === "/console/layout" && method === "GET") return sendJson(res, 200, routes.layout());
  if (path === "/console/dlqs" && method === "GET") {
    return sendJson(res, 200, { queues: await routes.deadLetters() });
  }
  const redrive = /^\/console\/dlqs\/([A-Za-z0-9-]+)\/redrive$/.exec(path);
  if (redrive?.[1] && method === "POST") {
    const max = maxOf(await readJson(req));
    return sendJson(res, 200, await routes.redrive(redrive[1], max));
  }
  if (path.startsWith("/api/") && method === "GET") return proxyApi(routes.apiBase, req, res);
  if (path.startsWith("/console/traces") && method === "GET") {
    return traceRoute(routes.traces, path, new URLSearchParams(search), res);
  }
  const allowed =
    "GET /, /assets/*, /console/layout, /console/dlqs, /console/traces[?q=&limit=], /console/traces/{traceId}, /api/*; POST /console/dlqs/{DlqLogicalId}/redrive; WebSocket /ws/live";
  return fail(res, 404, "NotFound", `no console route ${method} ${path}; routes: ${allowed}`);
}

function traceRoute(
  traces: ConsoleTraces | undefined,
  path: string,
  params: URLSearchParams,
  res: ServerResponse,
) {
  if (!traces) {
    return fail(
      res,
      404,
      "TracingOff",
      "tracing is off in this local cloud (BUZZVILLE_TRACING=off)",
    );
  }
  if (path === "/console/traces") {
    const limitText = params.get("limit") ?? "50";
    const limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > 500) {
      throw new ConsoleRequestError(
        400,
        "ValidationException",
        `limit must be an integer from 1 to 500, got ${JSON.stringify(limitText).slice(0, 40)}`,
      );
    }
    const query = params.get("q")?.trim().slice(0, 200) || undefined;
    return sendJson(res, 200, traces.search(query, limit));
  }
  const id = /^\/console\/traces\/([0-9a-f-]{1,64})$/.exec(path)?.[1];
  if (!id) {
    throw new ConsoleRequestError(
      400,
      "ValidationException",
      "a trace id is 1-<8 hex digits>-<24 hex digits>: GET /console/traces/{traceId}",
    );
  }
  const view = traces.get(id);
  if (view === undefined) {
    return fail(
      res,
      404,
      "TraceNotFound",
      `no trace ${id} in the store (it keeps the recent ones)`,
    );
  }
  return sendJson(res, 200, view);
}

export async function startConsoleServer(options: {
  readonly host: string;
  readonly port: number;
  readonly routes: ConsoleRoutes;
  readonly onError?: (error: unknown) => void;
}): Promise<ConsoleServer> {
  const anyHost = options.host === "0.0.0.0" || options.host === "::";
  let own: OwnOrigins = { origins: new Set(), anyHost }; // set once listening (port known)
  const server: Server = createServer((req, res) => {
    route(options.routes, own, req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof ConsoleRequestError)
        return fail(res, error.status, error.code, error.message);
      options.onError?.(error);
      fail(
        res,
        500,
        "InternalFailure",
        `the console failed to serve ${req.method} ${req.url}: ${String(error)}`,
      );
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  let greet: ((send: (message: unknown) => void) => void) | undefined;
  server.on("upgrade", (req, socket, head) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/ws/live" || isForeignOrigin(req, own)) {
      const status = path !== "/ws/live" ? "404 Not Found" : "403 Forbidden";
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("error", () => ws.terminate());
      greet?.((m) => ws.send(JSON.stringify(m)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (cause) =>
      reject(
        new Error(
          `The operators' console cannot listen on ${options.host}:${options.port}: ${String(cause)} (pick another --console-port, or --no-console)`,
          { cause },
        ),
      ),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(":")
    ? `[${options.host}]`
    : options.host === "0.0.0.0"
      ? "127.0.0.1"
      : options.host;
  own = {
    origins: new Set([host, "localhost", "127.0.0.1"].map((h) => `http://${h}:${port}`)),
    anyHost,
  };
  return {
    url: `http://${host}:${port}/`,
    port,
    get clients() {
      return wss.clients.size;
    },
    broadcast: (message) => {
      if (wss.clients.size === 0) return;
      const text = JSON.stringify(message);
      for (const ws of wss.clients) if (ws.bufferedAmount < 1_000_000) ws.send(text);
    },
    onConnect: (g) => {
      greet = g;
    },
    stop: async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
