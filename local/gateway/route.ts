/**
 * Which AWS service a request is for: by `x-amz-target` prefix (JSON protocols), by the SigV4
 * credential scope's service in the Authorization header (X-Ray, SQS/SNS/STS query), and by the
 * REST path (Pipes).
 */
import type { IncomingHttpHeaders } from "node:http";
import { XRAY_ACTIONS } from "../xray/api.ts";
import type { WireProtocol } from "./errors.ts";

export type ServiceId = "events" | "dynamodb" | "sqs" | "sns" | "pipes" | "sts" | "xray";

export const SUPPORTED_SERVICES: readonly ServiceId[] = [
  "events",
  "pipes",
  "sqs",
  "sns",
  "dynamodb",
  "sts",
  "xray",
];

export interface Route {
  /** The service, or `undefined` when the request names one the local cloud does not serve. */
  readonly service: ServiceId | undefined;
  /** The service as the request names it (for error messages), e.g. `lambda`. */
  readonly requested: string;
  /** JSON target action (`PutEvents`) when the protocol carries one in `x-amz-target`. */
  readonly action?: string;
  readonly protocol: WireProtocol;
}

const TARGET_PREFIXES: ReadonlyArray<readonly [string, ServiceId, WireProtocol]> = [
  ["AWSEvents", "events", "json1.1"],
  ["DynamoDB_20120810", "dynamodb", "json1.0"],
  ["AmazonSQS", "sqs", "json1.0"],
];

/** The service of the SigV4 credential scope: `Credential=AKID/20240101/us-east-1/<service>/aws4_request`. */
export function scopeService(authorization: string | undefined): string | undefined {
  return authorization?.match(/Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//)?.[1];
}

/** The region of the SigV4 credential scope. */
export function scopeRegion(authorization: string | undefined): string | undefined {
  return authorization?.match(/Credential=[^/]+\/\d{8}\/([^/]+)\//)?.[1];
}

export function routeRequest(headers: IncomingHttpHeaders, path: string): Route {
  const contentType = String(headers["content-type"] ?? "");
  const target = headers["x-amz-target"];
  const scope = scopeService(headers.authorization);
  if (typeof target === "string" && target.includes(".")) {
    const [prefix = "", action = ""] = target.split(".", 2);
    const known = TARGET_PREFIXES.find(([p]) => p === prefix);
    if (known) return { service: known[1], requested: known[1], action, protocol: known[2] };
    const protocol: WireProtocol = contentType.includes("1.1") ? "json1.1" : "json1.0";
    return { service: undefined, requested: scope ?? prefix, action, protocol };
  }
  if (path.startsWith("/v1/pipes") || scope === "pipes") {
    return { service: "pipes", requested: "pipes", protocol: "rest-json" };
  }
  if (scope === "xray") {
    const action = XRAY_ACTIONS[path];
    return {
      service: "xray",
      requested: "xray",
      ...(action ? { action } : {}),
      protocol: "rest-json",
    };
  }
  if (contentType.includes("x-www-form-urlencoded")) {
    if (scope === "sqs" || scope === "sns" || scope === "sts") {
      return { service: scope, requested: scope, protocol: "query" };
    }
    return { service: undefined, requested: scope ?? "unknown", protocol: "query" };
  }
  return {
    service: undefined,
    requested: scope ?? "unknown",
    protocol: contentType.includes("json") ? "json1.1" : "rest-json",
  };
}
