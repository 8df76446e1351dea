/**
 * Raw HTTP requests to the local cloud, for what SDKs never send (hostile headers, bodies,
 * parameter names). No retries, no signing; the answer is buffered.
 */
import { request } from "node:http";

export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export interface RawRequest {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

export function raw(endpoint: string, req: RawRequest = {}): Promise<RawAnswer> {
  const url = new URL(endpoint);
  const body = req.body ?? "";
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method ?? "POST",
        path: req.path ?? "/",
        headers: { "content-length": String(Buffer.byteLength(body)), ...req.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    r.on("error", reject);
    r.end(body);
  });
}

/** Headers of a SigV4-looking request for `service` (the gateway routes on the credential scope). */
export function signedFor(service: string, contentType: string): Record<string, string> {
  return {
    "content-type": contentType,
    authorization: `AWS4-HMAC-SHA256 Credential=l/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=a`,
  };
}

/** An EventBridge JSON 1.1 request. */
export const eventsRequest = (action: string, input: unknown): RawRequest => ({
  headers: {
    "content-type": "application/x-amz-json-1.1",
    "x-amz-target": `AWSEvents.${action}`,
  },
  body: typeof input === "string" ? input : JSON.stringify(input),
});

/** An SQS query-protocol request (form-encoded). */
export const sqsQueryRequest = (form: string): RawRequest => ({
  headers: signedFor("sqs", "application/x-www-form-urlencoded"),
  body: form,
});

/**
 * Streams up to `megabytes` MiB of `x` as a chunked body (no content-length) and resolves with
 * the answer's status and how many MiB were written before it came (writing stops then).
 */
export function streamed(
  endpoint: string,
  headers: Record<string, string>,
  megabytes: number,
): Promise<{ status: number; sentMb: number }> {
  const url = new URL(endpoint);
  return new Promise((resolve) => {
    let sentMb = 0;
    let answered = false;
    const r = request(
      {
        host: url.hostname,
        port: url.port,
        method: "POST",
        path: "/",
        headers: { ...headers, "transfer-encoding": "chunked" },
      },
      (res) => {
        answered = true;
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, sentMb }));
      },
    );
    r.on("error", () => undefined); // the server closes the connection once it has answered
    const chunk = Buffer.alloc(1024 * 1024, 120);
    const pump = (): void => {
      while (!answered && sentMb < megabytes) {
        sentMb++;
        if (!r.write(chunk)) {
          r.once("drain", pump);
          return;
        }
      }
      if (!answered) r.end();
    };
    pump();
  });
}
