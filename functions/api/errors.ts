/**
 * Errors of the city API (docs/API.md, "Errors"): each carries its HTTP status and a code, and
 * says which parameter is wrong and what is allowed. The handler turns them into
 * `{ "error": { "code", "message" } }`; anything else is a 500 that names no internals.
 */
import { FunctionError } from "../shared/errors.ts";

export type ApiErrorCode =
  | "InvalidParameter"
  | "MissingParameter"
  | "InvalidCursor"
  | "NotFound"
  | "RouteNotFound"
  | "MethodNotAllowed";

export class ApiError extends FunctionError {
  constructor(
    readonly status: 400 | 404 | 405,
    readonly code: ApiErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, "validation", options);
    this.name = "ApiError";
  }
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;

/** A parameter has a value it cannot take: names it, the value, and what is allowed. */
export function invalidParameter(name: string, value: unknown, allowed: string): ApiError {
  return new ApiError(
    400,
    "InvalidParameter",
    `${name}=${JSON.stringify(value)} is not allowed: ${allowed}`,
  );
}

export function notFound(what: string, hint: string): ApiError {
  return new ApiError(404, "NotFound", `${what} was not found; ${hint}`);
}
