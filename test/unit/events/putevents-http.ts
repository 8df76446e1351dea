/**
 * A tiny EventBridge PutEvents endpoint over real HTTP (AWS JSON 1.1), on port 0, so tests can
 * point the publisher's DEFAULT client at it through AWS_ENDPOINT_URL and see what reaches the
 * wire. Scripted answers (e.g. a 500) come first; then every entry is accepted.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: { Entries?: Record<string, unknown>[] };
}

/** An AWS JSON 1.1 error answer (`__type` + `x-amzn-ErrorType`). */
export interface ErrorAnswer {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

export interface PutEventsServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startPutEventsServer(
  answers: readonly ErrorAnswer[] = [],
): Promise<PutEventsServer> {
  const scripted = [...answers];
  const requests: RecordedRequest[] = [];
  let nextId = 1;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      const error = scripted.shift();
      if (error) {
        res.writeHead(error.status, {
          "content-type": "application/x-amz-json-1.1",
          "x-amzn-errortype": error.type,
        });
        res.end(JSON.stringify({ __type: error.type, message: error.message }));
        return;
      }
      const entries = Array.isArray(body.Entries) ? body.Entries : [];
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      res.end(
        JSON.stringify({
          FailedEntryCount: 0,
          Entries: entries.map(() => ({ EventId: `http-${nextId++}` })),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** Sets env vars (undefined = unset) and returns a function that restores the previous values. */
export function setEnv(values: Readonly<Record<string, string | undefined>>): () => void {
  const saved = Object.entries(values).map(([k]) => [k, process.env[k]] as const);
  const apply = (pairs: readonly (readonly [string, string | undefined])[]) => {
    for (const [k, v] of pairs) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(Object.entries(values));
  return () => apply(saved);
}
