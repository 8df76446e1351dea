/**
 * SQS input checks fauxqs leaves out, applied by the gateway on both SQS protocols (query and
 * JSON) with SQS's error codes and wording (docs/LOCAL.md, "Hostile input"): queue names AWS
 * rejects (`../../etc/passwd`, `a/b`), integer parameters that are not integers, and a redrive
 * policy whose dead-letter queue is not of its queue's type (a standard queue redriving into a FIFO
 * one would hold FIFO messages without a group id, which fauxqs locks for ever).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { type AwsErrorShape, MalformedBodyError, writeAwsError } from "./errors.ts";
import { bodyLimitOf } from "./guard.ts";
import type { Inject } from "./in-process.ts";
import { readBody } from "./proxy.ts";

/** AWS: 1-80 characters of alphanumerics, hyphens and underscores; FIFO queues end in `.fifo`. */
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;

/** Integer parameters and their allowed ranges. */
const INTEGERS: Readonly<Record<string, readonly [number, number]>> = {
  MaxNumberOfMessages: [1, 10],
  WaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43_200],
  DelaySeconds: [0, 900],
  MaxResults: [1, 1000],
};

/** Fields that are strings wherever they appear (top level or in a batch entry). */
const STRINGS = new Set([
  "QueueUrl",
  "QueueName",
  "QueueNamePrefix",
  "MessageBody",
  "ReceiptHandle",
  "MessageGroupId",
  "MessageDeduplicationId",
  "ReceiveRequestAttemptId",
  "NextToken",
  "Label",
  "Id",
  "SourceArn",
  "DestinationArn",
  "TaskHandle",
  "QueueOwnerAWSAccountId",
]);
/** Fields that are maps (objects) and lists of strings. */
const MAPS = new Set([
  "Attributes",
  "tags",
  "Tags",
  "MessageAttributes",
  "MessageSystemAttributes",
]);
const STRING_LISTS = new Set([
  "AttributeNames",
  "MessageAttributeNames",
  "MessageSystemAttributeNames",
  "TagKeys",
  "AWSAccountIds",
  "Actions",
]);

const invalid = (message: string): AwsErrorShape => ({
  status: 400,
  code: "InvalidParameterValue",
  message,
});

function checkQueueName(name: unknown): AwsErrorShape | undefined {
  if (typeof name === "string" && (QUEUE_NAME.test(name) || FIFO_QUEUE_NAME.test(name))) {
    return undefined;
  }
  const shown = typeof name === "string" ? name.slice(0, 100) : JSON.stringify(name ?? null);
  return invalid(
    `Value ${shown} for parameter QueueName is invalid. Reason: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length (a FIFO queue's name ends in .fifo).`,
  );
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function wrongType(key: string, allowed: string): AwsErrorShape {
  return invalid(`Value for parameter ${key} is invalid. Reason: must be ${allowed}.`);
}

/** Wrong JSON types, which fauxqs would answer with a 500 (raw requests; SDKs never send them). */
function checkTypes(input: Readonly<Record<string, unknown>>): AwsErrorShape | undefined {
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue;
    if (STRINGS.has(key) && typeof value !== "string") return wrongType(key, "a string");
    if (MAPS.has(key) && !isObject(value)) return wrongType(key, "a map");
    if (
      STRING_LISTS.has(key) &&
      (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
    ) {
      return wrongType(key, "a list of strings");
    }
    if (key === "Entries") {
      if (!Array.isArray(value) || !value.every(isObject))
        return wrongType(key, "a list of entries");
      for (const entry of value) {
        const problem = checkTypes(entry) ?? checkIntegers(entry);
        if (problem) return problem;
      }
    }
  }
  return undefined;
}

function checkIntegers(input: Readonly<Record<string, unknown>>): AwsErrorShape | undefined {
  for (const [key, [min, max]] of Object.entries(INTEGERS)) {
    if (!Object.hasOwn(input, key)) continue;
    const value = input[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      const shown = typeof value === "string" ? value.slice(0, 40) : JSON.stringify(value);
      return invalid(
        `Value ${shown} for parameter ${key} is invalid. Reason: Must be an integer between ${min} and ${max}.`,
      );
    }
  }
  return undefined;
}

/**
 * AWS: the dead-letter queue of a FIFO queue is a FIFO queue, of a standard queue a standard one.
 * `fifoSource`: the queue the policy is set on is FIFO. Unparsable policies are fauxqs' to refuse.
 */
function checkRedrivePolicy(fifoSource: boolean, attributes: unknown): AwsErrorShape | undefined {
  if (!isObject(attributes) || typeof attributes.RedrivePolicy !== "string") return undefined;
  let target: unknown;
  try {
    target = (JSON.parse(attributes.RedrivePolicy) as { deadLetterTargetArn?: unknown })
      ?.deadLetterTargetArn;
  } catch {
    return undefined;
  }
  if (typeof target !== "string" || target.endsWith(".fifo") === fifoSource) return undefined;
  const kind = fifoSource ? "FIFO queue" : "standard queue";
  return invalid(
    `Value ${attributes.RedrivePolicy.slice(0, 300)} for parameter RedrivePolicy is invalid. Reason: The dead-letter queue of a ${kind} must also be a ${kind}.`,
  );
}

/** The error for an SQS request fauxqs would wrongly accept, or undefined. */
export function checkSqsInput(action: string, input: unknown): AwsErrorShape | undefined {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return {
      status: 400,
      code: "SerializationException",
      message: "Request body must be a JSON object.",
    };
  }
  const fields = input as Readonly<Record<string, unknown>>;
  const typed = checkTypes(fields);
  if (typed) return typed;
  if (action.endsWith("Batch") && !Array.isArray(fields.Entries)) {
    return {
      status: 400,
      code: "MissingParameter",
      message: "The request must contain the parameter Entries.",
    };
  }
  if (action === "CreateQueue") {
    const name = Object.hasOwn(fields, "QueueName") ? fields.QueueName : undefined;
    return (
      checkQueueName(name) ??
      checkRedrivePolicy(typeof name === "string" && name.endsWith(".fifo"), fields.Attributes)
    );
  }
  if (action === "SetQueueAttributes" && typeof fields.QueueUrl === "string") {
    const redrive = checkRedrivePolicy(fields.QueueUrl.endsWith(".fifo"), fields.Attributes);
    if (redrive) return redrive;
  }
  return checkIntegers(fields);
}

function parseJson(body: string): unknown {
  try {
    return body.trim() === "" ? {} : JSON.parse(body);
  } catch {
    throw new MalformedBodyError("Request body is not valid JSON.");
  }
}

/**
 * Serves a JSON-protocol SQS request over HTTP: buffers and checks it, then hands it to fauxqs in
 * process (Fastify inject, no socket hop). The local cloud's own clients skip this (in-process.ts).
 */
export async function serveCheckedSqsJson(
  req: IncomingMessage,
  res: ServerResponse,
  inject: Inject,
  action: string,
): Promise<void> {
  const body = await readBody(req, bodyLimitOf("sqs"));
  const problem = checkSqsInput(action, parseJson(body));
  if (problem) return writeAwsError(res, "json1.0", problem);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string" && name !== "content-length") headers[name] = value;
  }
  const payload = body.trim() === "" ? "{}" : body;
  const answer = await inject({ method: "POST", url: "/", headers, payload });
  res.statusCode = answer.statusCode;
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value !== undefined && name !== "content-length" && name !== "connection") {
      res.setHeader(name, value);
    }
  }
  res.end(answer.rawPayload);
}
