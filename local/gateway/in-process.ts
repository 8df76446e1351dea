/**
 * An SDK v3 request handler that serves a client's requests in process: the request an SQS or
 * SNS client built (JSON protocol, signed, exactly as it would go on the wire) is injected into
 * the embedded fauxqs app instead of being sent over loopback HTTP. Serialization, error parsing
 * (e.g. `QueueDoesNotExist`), FIFO group/deduplication ids and message attributes are the SDK's
 * own, so the semantics are those of the HTTP path; only the socket is gone. Used by the local
 * cloud's SDK clients (`cloud.sqs` for status and inspection, EventBridge's SNS targets), never
 * by the functions, which reach the gateway like any AWS client. The cloud's own queue work
 * (SQS targets, pipes, the Lambda runner's pollers) skips the SDK altogether: local/queues/direct.ts.
 */
import type { SQSClientConfig } from "@aws-sdk/client-sqs";
import type { RequestCounter } from "../request-counts.ts";
import { GatewayError } from "./errors.ts";

/** What fauxqs' Fastify `inject` takes and answers (the subset used here). */
export type Inject = (request: {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}) => Promise<{
  statusCode: number;
  statusMessage?: string;
  headers: Record<string, string | string[] | number | undefined>;
  rawPayload: Buffer;
}>;

interface SdkHttpRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

function queryString(query: SdkHttpRequest["query"]): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query ?? {})) {
    for (const value of Array.isArray(v) ? v : [v]) {
      parts.push(
        value === null
          ? encodeURIComponent(k)
          : `${encodeURIComponent(k)}=${encodeURIComponent(value)}`,
      );
    }
  }
  return parts.length > 0 ? `?${parts.join("&")}` : "";
}

function payloadOf(body: unknown): string | Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return body;
  // A view on the bytes: Buffer.from(body) would call the SDK's string adapter's valueOf().
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new GatewayError(
    `The in-process SQS/SNS handler takes string or byte request bodies, got ${typeof body}`,
  );
}

/** The `requestHandler` for an SQS or SNS client of the local cloud itself. */
export function inProcessRequestHandler(
  inject: Inject,
  host: string,
  requests?: RequestCounter,
): NonNullable<SQSClientConfig["requestHandler"]> {
  const handler = {
    metadata: { handlerProtocol: "http/1.1" },
    async handle(request: SdkHttpRequest, options?: { abortSignal?: AbortSignal }) {
      const signal = options?.abortSignal;
      if (signal?.aborted) throw abortError();
      const [prefix = "", action = "unknown"] = (request.headers["x-amz-target"] ?? "").split(
        ".",
        2,
      );
      requests?.count("cloud", prefix === "AmazonSQS" ? "sqs" : prefix || "sns", action);
      const answer = inject({
        method: request.method,
        url: `${request.path}${queryString(request.query)}`,
        headers: { ...request.headers, host },
        ...(request.body !== undefined ? { payload: payloadOf(request.body) } : {}),
      });
      const res = signal ? await raceAbort(answer, signal) : await answer;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) {
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : String(v);
      }
      return {
        response: {
          statusCode: res.statusCode,
          ...(res.statusMessage ? { reason: res.statusMessage } : {}),
          headers,
          body: new Uint8Array(res.rawPayload),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
    destroy() {},
  };
  // why: the SDK's handler type is generic over smithy's HttpRequest/HttpResponse classes; this
  // handler takes and returns their documented shapes (the SDK checks responses by shape).
  return handler as unknown as NonNullable<SQSClientConfig["requestHandler"]>;
}

/**
 * Settles with `answer`, or rejects with an AbortError when `signal` aborts first. The listener is
 * removed either way: the runner's pollers and the pipes reuse one signal for their lifetime, so a
 * listener left behind per request would accumulate with every poll.
 */
export async function raceAbort<T>(answer: Promise<T>, signal: AbortSignal): Promise<T> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError());
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([answer, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}

function abortError(): Error {
  const error = new Error("Request aborted");
  error.name = "AbortError";
  return error;
}
