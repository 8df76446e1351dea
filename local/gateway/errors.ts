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

/** A request the gateway refuses with an AWS-shaped error (`shape`), never a 500. */
export class RequestRejectedError extends GatewayError {
  override readonly name: string = "RequestRejectedError";
  constructor(readonly shape: AwsErrorShape) {
    super(shape.message);
  }
}

export class RequestTooLargeError extends RequestRejectedError {
  override readonly name: string = "RequestTooLargeError";
  constructor(readonly limit: number) {
    super({
      status: 413,
      code: "RequestEntityTooLargeException",
      message: `Request body is larger than the ${limit} bytes this service accepts.`,
    });
  }
}

export class MalformedBodyError extends RequestRejectedError {
  override readonly name: string = "MalformedBodyError";
  constructor(message: string) {
    super({ status: 400, code: "SerializationException", message });
  }
}

/**
 * The answer for an error a request handler threw: its own shape when the gateway refused the
 * request, else a 500 that names the request but never echoes its payload or the error text.
 */
export function errorShapeOf(error: unknown, method: string, path: string): AwsErrorShape {
  if (error instanceof RequestRejectedError) return error.shape;
  const kind = error instanceof Error ? error.name : typeof error;
  return {
    status: 500,
    code: "InternalFailure",
    message: `The local cloud failed to serve ${method} ${path.slice(0, 200)} (${kind}).`,
    fault: "Receiver",
  };
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
  // The rest of an oversized body is not read: close the connection once answered.
  if (error.status === 413) res.setHeader("connection", "close");
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
