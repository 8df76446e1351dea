/**
 * SQS input checks fauxqs leaves out, applied by the gateway on both SQS protocols (query and
 * JSON) with SQS's error codes and wording (docs/LOCAL.md, "Hostile input"): queue names AWS
 * rejects (`../../etc/passwd`, `a/b`) and integer parameters that are not integers.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { type AwsErrorShape, MalformedBodyError, writeAwsError } from "./errors.ts";
import { bodyLimitOf } from "./guard.ts";
import { readBody, send } from "./proxy.ts";

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

/** The SQS actions the gateway checks (JSON protocol: it buffers only these). */
export const CHECKED_SQS_ACTIONS: ReadonlySet<string> = new Set(["CreateQueue", "ReceiveMessage"]);

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
  if (action === "CreateQueue") {
    return checkQueueName(Object.hasOwn(fields, "QueueName") ? fields.QueueName : undefined);
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
 * Serves a JSON-protocol SQS request of a checked action: buffers and checks it, then forwards
 * it to fauxqs on its loopback port (the other actions are served in process, unbuffered).
 */
export async function serveCheckedSqsJson(
  req: IncomingMessage,
  res: ServerResponse,
  backendPort: number,
  action: string,
): Promise<void> {
  const body = await readBody(req, bodyLimitOf("sqs"));
  const problem = checkSqsInput(action, parseJson(body));
  if (problem) return writeAwsError(res, "json1.0", problem);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string" && name !== "content-length") headers[name] = value;
  }
  const answer = await send(backendPort, { method: "POST", path: "/", headers, body });
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value !== undefined && name !== "content-length" && name !== "connection") {
      res.setHeader(name, value);
    }
  }
  res.end(answer.body);
}
