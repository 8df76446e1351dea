/**
 * AWS-shaped error responses for the gateway, one writer per wire protocol, and the gateway's
 * own error base class.
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";

export class GatewayError extends Error {
  override readonly name: string = "GatewayError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export type WireProtocol = "json1.0" | "json1.1" | "query" | "rest-json";

export interface AwsErrorShape {
  readonly status: number;
  /** AWS error code, e.g. `UnknownOperationException` or `InvalidAction`. */
  readonly code: string;
  readonly message: string;
  /** Query protocol only: `Sender` or `Receiver`. */
  readonly fault?: "Sender" | "Receiver";
}

export function xmlEscape(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

export function queryErrorXml(error: AwsErrorShape, requestId: string): string {
  return `<?xml version="1.0"?><ErrorResponse><Error><Type>${error.fault ?? "Sender"}</Type><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

export function writeAwsError(res: ServerResponse, protocol: WireProtocol, error: AwsErrorShape) {
  const requestId = randomUUID();
  res.statusCode = error.status;
  res.setHeader("x-amzn-RequestId", requestId);
  if (protocol === "query") {
    res.setHeader("content-type", "text/xml");
    res.end(queryErrorXml(error, requestId));
    return;
  }
  res.setHeader("x-amzn-ErrorType", error.code);
  if (protocol === "rest-json") {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ message: error.message }));
    return;
  }
  res.setHeader(
    "content-type",
    protocol === "json1.1" ? "application/x-amz-json-1.1" : "application/x-amz-json-1.0",
  );
  res.end(JSON.stringify({ __type: error.code, message: error.message }));
}
