/** Forwards a request to an embedded backend on a loopback port, keeping the Host header. */
import { Agent, type IncomingMessage, request, type ServerResponse } from "node:http";
import { GatewayError } from "./errors.ts";

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: IncomingMessage["headers"];
  readonly body: Buffer;
}

/** Streams `req` to the backend and the backend's answer to `res`. */
export function pipeTo(port: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const upstream = request(
      { host: "127.0.0.1", port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on("end", () => resolve());
        answer.on("error", reject);
      },
    );
    upstream.on("error", (cause) =>
      reject(new GatewayError(`backend on 127.0.0.1:${port} failed`, { cause })),
    );
    req.pipe(upstream);
  });
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
