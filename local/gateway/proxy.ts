/**
 * Sends a request to an embedded backend on its loopback port (only the rare paths use it: the
 * SQS query-protocol translation and queue inspection; the rest is served in process).
 */
import { Agent, type IncomingMessage, request } from "node:http";
import { GatewayError } from "./errors.ts";

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

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
