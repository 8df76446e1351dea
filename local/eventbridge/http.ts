/**
 * The emulator alone over node:http (AWS JSON 1.1 on `x-amz-target: AWSEvents.*`), for tests and
 * benchmarks that need a real EventBridge endpoint without the whole local cloud (the gateway in
 * local/gateway/ serves it beside SQS, SNS, DynamoDB and Pipes).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { EventBridgeService } from "./index.ts";

/** The largest request body read, bytes: AWS refuses PutEvents bodies above 1 MiB. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface EventBridgeHttpServer {
  /** `http://host:port`. */
  readonly endpoint: string;
  /** Stops accepting connections, closes open ones and waits for the server to close. */
  close(): Promise<void>;
}

/** Serves `service.handle()` on `host:port` (defaults 127.0.0.1 and 0, a free port). */
export async function serveEventBridge(
  service: EventBridgeService,
  options: { readonly host?: string; readonly port?: number } = {},
): Promise<EventBridgeHttpServer> {
  const host = options.host ?? "127.0.0.1";
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(c);
        return;
      }
      // Never buffer more than AWS accepts (docs/LOCAL.md, "Hostile input").
      req.off("data", onData);
      req.removeAllListeners("end");
      chunks.length = 0;
      res.writeHead(413, { "content-type": "application/x-amz-json-1.1", connection: "close" });
      res.end(
        JSON.stringify({
          __type: "RequestEntityTooLargeException",
          message: `Request body is larger than the ${MAX_BODY_BYTES} bytes EventBridge accepts.`,
        }),
      );
    };
    req.on("data", onData);
    req.on("end", () => {
      service
        .handle({
          target: String(req.headers["x-amz-target"] ?? ""),
          body: Buffer.concat(chunks).toString("utf8"),
        })
        .then((answer) => {
          res.writeHead(answer.statusCode, answer.headers);
          res.end(answer.body);
        })
        .catch((error: unknown) => {
          res.writeHead(500, { "content-type": "application/x-amz-json-1.1" });
          const kind = error instanceof Error ? error.name : typeof error;
          res.end(
            JSON.stringify({ __type: "InternalException", message: `Internal error (${kind}).` }),
          );
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((e) => (e ? reject(e) : resolve())),
      );
    },
  };
}
