/**
 * DynamoDB for the local cloud: the `dynalite` package. The gateway hands it its requests in
 * process (`handle`); it also listens on an ephemeral loopback port, which keeps dynalite's own
 * close path (flushing its store) working. In memory by default; with a data directory its LevelDB store lives on
 * disk and survives a restart.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import dynalite from "dynalite";
import { LocalBackendError } from "./errors.ts";

export interface DynamoBackend {
  /** Loopback port dynalite also listens on (its close path flushes LevelDB). */
  readonly port: number;
  /** Serves one DynamoDB request in process (no second HTTP hop). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  stop(): Promise<void>;
}

export interface DynamoBackendOptions {
  /** Parent data directory; the LevelDB store goes in `<dataDir>/dynamodb`. In memory when omitted. */
  readonly dataDir?: string;
}

export async function startDynamoBackend(
  options: DynamoBackendOptions = {},
): Promise<DynamoBackend> {
  const server: Server = dynalite({
    ...(options.dataDir ? { path: join(options.dataDir, "dynamodb") } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (cause) =>
      reject(new LocalBackendError("dynalite could not listen on 127.0.0.1", { cause })),
    );
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    // dynalite's request listener, called directly for the gateway's own request.
    handle: (req, res) => {
      server.emit("request", req, res);
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((err) =>
          err ? reject(new LocalBackendError("dynalite did not stop", { cause: err })) : resolve(),
        );
      }),
  };
}
