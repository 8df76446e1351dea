/**
 * The gateway's front door, checked before any request is routed (docs/LOCAL.md, "Hostile
 * input"): a browser page must not drive the local cloud (cross-origin writes, DNS rebinding),
 * and a request may not announce a body larger than its service accepts.
 * - `Host` must name a loopback address, an IP literal (DNS rebinding needs a name) or the host
 *   the gateway was started on;
 * - an `Origin` header must be the endpoint's own origin, and `Sec-Fetch-Site: cross-site` is
 *   refused: SDKs and CLIs send neither, browsers always do on cross-origin requests;
 * - a declared `content-length` above the service's cap is answered 413 before any byte is read;
 *   services served by an embedded backend (DynamoDB, SNS, STS) need a declared length.
 */
import type { IncomingHttpHeaders } from "node:http";
import { isIP } from "node:net";
import { type AwsErrorShape, RequestTooLargeError } from "./errors.ts";
import type { ServiceId } from "./route.ts";

/** Body caps by service, bytes: AWS's request limits, with room for JSON/XML overhead. */
export const BODY_LIMITS: Readonly<Record<ServiceId | "other", number>> = {
  /** PutEvents: 256 KiB of entries; AWS refuses HTTP bodies above 1 MiB. */
  events: 1024 * 1024,
  /** CreatePipe/UpdatePipe definitions are a few KiB; 1 MiB leaves ample room. */
  pipes: 1024 * 1024,
  /** A 1 MiB message (SendMessage/SendMessageBatch), escaped in JSON or form encoding. */
  sqs: 3 * 1024 * 1024,
  sns: 3 * 1024 * 1024,
  /** BatchWriteItem: 25 items of 400 KB, 16 MiB per request. */
  dynamodb: 16 * 1024 * 1024,
  sts: 64 * 1024,
  /** GetTraceSummaries/BatchGetTraces inputs are a filter expression and a few ids. */
  xray: 64 * 1024,
  other: 64 * 1024,
};

export interface GuardOptions {
  /** The interface the gateway listens on (always accepted as a Host name). */
  readonly host: string;
}

const MAX_SHOWN = 80;
const shown = (value: string) =>
  value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;

/** `localhost`, `*.localhost`, or an IP literal (`127.0.0.1`, `[::1]`). */
function isSafeHostName(name: string, options: GuardOptions): boolean {
  const lower = name.toLowerCase();
  if (lower === "localhost" || lower.endsWith(".localhost")) return true;
  if (lower === options.host.toLowerCase()) return true;
  const bare = lower.startsWith("[") && lower.endsWith("]") ? lower.slice(1, -1) : lower;
  return isIP(bare) !== 0;
}

/** The host name of a Host header (`name:port`, `[v6]:port`), or undefined when malformed. */
function hostNameOf(header: string): string | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::\d{1,5})?$/.exec(header.trim());
  return match?.[1];
}

function forbidden(message: string): AwsErrorShape {
  return { status: 403, code: "AccessDeniedException", message };
}

function checkHost(headers: IncomingHttpHeaders, options: GuardOptions): AwsErrorShape | undefined {
  const host = headers.host;
  if (host === undefined) return undefined; // HTTP/1.0 clients; browsers always send Host.
  const name = hostNameOf(host);
  if (name !== undefined && isSafeHostName(name, options)) return undefined;
  return forbidden(
    `Host "${shown(host)}" is not served: the local cloud answers only to loopback names and addresses (localhost, 127.0.0.1, [::1]), IP addresses and its configured host "${options.host}" (a guard against DNS rebinding).`,
  );
}

function checkOrigin(headers: IncomingHttpHeaders): AwsErrorShape | undefined {
  const site = headers["sec-fetch-site"];
  if (site === "cross-site") {
    return forbidden(
      "Cross-site browser requests are refused (Sec-Fetch-Site: cross-site): use an AWS SDK or CLI, which send no Origin.",
    );
  }
  const origin = headers.origin;
  if (origin === undefined) return undefined;
  const own = `http://${headers.host ?? ""}`.toLowerCase();
  if (origin.toLowerCase() === own) return undefined;
  return forbidden(
    `Cross-origin request from Origin "${shown(origin)}" refused: the local cloud accepts requests from its own origin (${shown(own)}) or without an Origin header (AWS SDKs and CLIs).`,
  );
}

/** The body cap of a service, bytes. */
export const bodyLimitOf = (service: ServiceId | undefined): number =>
  BODY_LIMITS[service ?? "other"];

/** Services whose bodies the gateway reads itself, counting bytes (proxy.ts readBody). */
const COUNTED: ReadonlySet<ServiceId | undefined> = new Set(["events", "pipes", "sqs", "xray"]);

function checkLength(
  headers: IncomingHttpHeaders,
  service: ServiceId | undefined,
): AwsErrorShape | undefined {
  const limit = bodyLimitOf(service);
  const declared = headers["content-length"];
  if (declared === undefined) {
    // The embedded backends read their bodies themselves, uncapped: they need a declared length
    // (AWS SDKs always send one).
    if (headers["transfer-encoding"] === undefined || COUNTED.has(service)) return undefined;
    return {
      status: 411,
      code: "MissingContentLength",
      message:
        "This service needs a Content-Length header (chunked request bodies are not accepted).",
    };
  }
  const length = Number(declared);
  return Number.isFinite(length) && length > limit
    ? new RequestTooLargeError(limit).shape
    : undefined;
}

/**
 * The error to answer instead of serving the request, or undefined when it may proceed. Called
 * first thing by the gateway's request handler, on every path.
 */
export function guardRequest(
  headers: IncomingHttpHeaders,
  service: ServiceId | undefined,
  options: GuardOptions,
): AwsErrorShape | undefined {
  return checkHost(headers, options) ?? checkOrigin(headers) ?? checkLength(headers, service);
}
