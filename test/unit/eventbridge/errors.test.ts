import { QueueDoesNotExist } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { errorCodeOf, isRetriable } from "../../../local/eventbridge/delivery/errors.ts";
import { EventBridgeError, InvalidEventPatternError } from "../../../local/eventbridge/errors.ts";
import { DeliveryError } from "../../../local/eventbridge/index.ts";
import { compilePattern } from "../../../local/eventbridge/patterns/index.ts";
import { PatternSyntaxError } from "../../../local/eventbridge/patterns/operators.ts";

const named = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), { name }, extra);

describe("delivery error classification (retry or straight to the DLQ)", () => {
  it.each([
    ["QueueDoesNotExist", named("QueueDoesNotExist")],
    ["SQS query code", named("Error", { Code: "AWS.SimpleQueueService.NonExistentQueue" })],
    ["ResourceNotFoundException", named("ResourceNotFoundException")],
    ["SNS NotFound code", named("Error", { code: "NotFound" })],
    ["AccessDeniedException", named("AccessDeniedException")],
    ["AuthorizationError", named("AuthorizationError")],
    ["InvalidParameterValue", named("InvalidParameterValue")],
    ["explicit retryable: false", named("Whatever", { retryable: false })],
    ["permanent cause", new Error("wrapper", { cause: named("QueueDoesNotExist") })],
  ])("%s is permanent", (_label, error) => {
    expect(isRetriable(error)).toBe(false);
  });

  it.each([
    ["ServiceUnavailable", named("ServiceUnavailable")],
    ["ThrottlingException", named("ThrottlingException")],
    ["plain Error", new Error("socket hang up")],
    ["a string", "boom"],
    ["explicit retryable: true wins over a permanent name", named("NotFound", { retryable: true })],
    ["SDK $retryable", named("InternalError", { $retryable: { throttling: false } })],
  ])("%s is retried", (_label, error) => {
    expect(isRetriable(error)).toBe(true);
  });

  it("classifies the real SDK v3 QueueDoesNotExist and names it in ERROR_CODE", () => {
    const error = new QueueDoesNotExist({ message: "gone", $metadata: {} });
    expect(isRetriable(error)).toBe(false);
    expect(errorCodeOf(error)).toBe("QueueDoesNotExist");
    expect(errorCodeOf(new Error("x", { cause: error }))).toBe("QueueDoesNotExist");
  });

  it("survives a cyclic cause chain", () => {
    const a: Error & { cause?: unknown } = new Error("a");
    a.cause = a;
    expect(isRetriable(a)).toBe(true);
  });
});

describe("error classes", () => {
  it("DeliveryError is an EventBridgeError with name, code, cause and retryable", () => {
    const cause = new Error("root");
    const error = new DeliveryError("NO_DISPATCHER", "no dispatcher", {
      cause,
      retryable: false,
    });
    expect(error).toBeInstanceOf(EventBridgeError);
    expect(error.name).toBe("DeliveryError");
    expect(error.code).toBe("NO_DISPATCHER");
    expect(error.cause).toBe(cause);
    expect(error.retryable).toBe(false);
    expect(new DeliveryError("X", "y").retryable).toBe(true);
  });

  it("PatternSyntaxError is an EventBridgeError and becomes the cause of the API error", () => {
    expect(new PatternSyntaxError("bad")).toBeInstanceOf(EventBridgeError);
    expect(new PatternSyntaxError("bad").name).toBe("PatternSyntaxError");
    let caught: unknown;
    try {
      compilePattern('{"a": [{"wildcard": "a**b"}]}');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidEventPatternError);
    const cause = (caught as Error).cause;
    expect(cause).toBeInstanceOf(PatternSyntaxError);
    expect((cause as Error).message).toBe((caught as InvalidEventPatternError).reason);
    // The wildcard parser's own error is kept one level further down.
    expect((cause as Error).cause).toBeInstanceOf(Error);
  });

  it("keeps the JSON parser's error as the cause of a non-JSON pattern", () => {
    let caught: unknown;
    try {
      compilePattern("{nope");
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).cause).toBeInstanceOf(SyntaxError);
  });
});
