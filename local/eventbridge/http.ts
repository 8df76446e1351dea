/**
 * The emulator alone over node:http (AWS JSON 1.1 on `x-amz-target: AWSEvents.*`), for tests and
 * benchmarks that need a real EventBridge endpoint without the whole local cloud (the gateway in
 * local/gateway/ serves it beside SQS, SNS, DynamoDB and Pipes).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { EventBridgeService } from "./index.ts";

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
    req.on("data", (c: Buffer) => chunks.push(c));
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
          res.end(JSON.stringify({ __type: "InternalException", message: String(error) }));
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
