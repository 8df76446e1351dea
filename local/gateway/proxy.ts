/**
 * Sends a request to an embedded backend on its loopback port (only the rare paths use it: the
 * SQS query-protocol translation and queue inspection; the rest is served in process).
 */
import { Agent, type IncomingMessage, request } from "node:http";
import { GatewayError, MalformedBodyError, RequestTooLargeError } from "./errors.ts";

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: IncomingMessage["headers"];
  readonly body: Buffer;
}

/** Sends a complete request to the backend and buffers its answer. */
export function send(
  port: number,
  options: { method: string; path: string; headers: Record<string, string>; body: string },
): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => {
    const upstream = request(
      {
        host: "127.0.0.1",
        port,
        method: options.method,
        path: options.path,
        headers: { ...options.headers, "content-length": String(Buffer.byteLength(options.body)) },
        agent,
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on("data", (c: Buffer) => chunks.push(c));
        answer.on("end", () =>
          resolve({
            status: answer.statusCode ?? 502,
            headers: answer.headers,
            body: Buffer.concat(chunks),
          }),
        );
        answer.on("error", reject);
      },
    );
    upstream.on("error", (cause) =>
      reject(new GatewayError(`backend on 127.0.0.1:${port} failed`, { cause })),
    );
    upstream.end(options.body);
  });
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Reads a request body of at most `limit` bytes as UTF-8 text. Stops buffering as soon as the
 * limit is passed (RequestTooLargeError, answered 413) and refuses bytes that are not UTF-8
 * (MalformedBodyError) instead of replacing them (docs/LOCAL.md, "Hostile input").
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.off("data", onData);
        req.off("end", onEnd);
        chunks.length = 0;
        reject(new RequestTooLargeError(limit));
        return;
      }
      chunks.push(c);
    };
    const onEnd = () => {
      try {
        resolve(utf8.decode(Buffer.concat(chunks)));
      } catch {
        reject(new MalformedBodyError("Request body is not valid UTF-8."));
      }
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", reject);
  });
}
