/** PutTargets, ListTargetsByRule, RemoveTargets. */
import type { ActionHandler } from "../context.ts";
import { parseTargetArn } from "../delivery/arn.ts";
import { parseJsonPath, usesBracketNotation } from "../delivery/jsonpath.ts";
import { EventBridgeError } from "../errors.ts";
import { EventBridgeStore, type TargetRecord } from "../store.ts";
import { constraintError, optionalString, requiredString } from "../validate.ts";

const MAX_TARGETS_PER_RULE = 5;
const TARGET_ID = /^[.\-_A-Za-z0-9]+$/;
const RESERVED_VARIABLE = /^aws\.events\./i;

interface FailedEntry {
  TargetId: string;
  ErrorCode: string;
  ErrorMessage: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function checkRange(value: unknown, field: string, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw constraintError(value, field, `Member must have value greater than or equal to ${min}`);
  }
  if (value > max) {
    throw constraintError(value, field, `Member must have value less than or equal to ${max}`);
  }
}

/** Fields of the wrong JSON type (raw requests; the SDKs never send them). */
function typeProblemOf(target: TargetRecord): string | undefined {
  const raw = target as unknown as Record<string, unknown>;
  for (const field of ["Input", "InputPath"]) {
    if (raw[field] !== undefined && typeof raw[field] !== "string") {
      return `Parameter ${field} is not valid. Reason: ${field} must be a string.`;
    }
  }
  for (const field of ["InputTransformer", "SqsParameters", "DeadLetterConfig", "RetryPolicy"]) {
    if (raw[field] !== undefined && !isObject(raw[field])) {
      return `Parameter ${field} is not valid. Reason: ${field} must be an object.`;
    }
  }
  const paths = target.InputTransformer?.InputPathsMap;
  if (paths !== undefined && !isObject(paths)) {
    return "Parameter InputPathsMap is not valid. Reason: InputPathsMap must be an object of JSON paths.";
  }
  const dlq: unknown = target.DeadLetterConfig?.Arn;
  if (dlq !== undefined && typeof dlq !== "string") {
    return "Parameter DeadLetterConfig.Arn is not valid. Reason: Arn must be a string.";
  }
  return undefined;
}

/** Returns the reason a target is not acceptable, or undefined when it is fine. */
function problemOf(target: TargetRecord): string | undefined {
  const wrongType = typeProblemOf(target);
  if (wrongType) return wrongType;
  const arn = parseTargetArn(target.Arn);
  if (!arn)
    return `Parameter ${target.Arn} is not valid. Reason: Provided Arn is not in correct format.`;
  if (arn.kind === "unsupported") {
    return `Target ${target.Arn} is of a service the Buzz Ville emulator does not deliver to (supported: sqs, sns, lambda, event-bus).`;
  }
  const inputs = [target.Input, target.InputPath, target.InputTransformer].filter(
    (v) => v !== undefined,
  );
  if (inputs.length > 1)
    return "Only one of Input, InputPath, or InputTransformer must be provided.";
  if (target.Input !== undefined) {
    try {
      JSON.parse(target.Input);
    } catch {
      return `Parameter Input is not valid. Reason: Input ${target.Input} is not valid JSON text.`;
    }
  }
  if (target.InputPath !== undefined && !parseJsonPath(target.InputPath)) {
    return `Parameter InputPath is not valid. Reason: ${target.InputPath} is not a valid JSON path.`;
  }
  const transformer = target.InputTransformer;
  if (transformer !== undefined) {
    if (typeof transformer.InputTemplate !== "string" || transformer.InputTemplate === "") {
      return "Parameter InputTransformer is not valid. Reason: InputTemplate must be specified.";
    }
    for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) {
      if (RESERVED_VARIABLE.test(name)) {
        return `Parameter InputPathsMap is not valid. Reason: ${name} is a reserved variable name.`;
      }
      if (typeof path !== "string" || !parseJsonPath(path)) {
        return `Parameter InputPathsMap is not valid. Reason: ${typeof path === "string" ? path : JSON.stringify(path)} is not a valid JSON path.`;
      }
      // AWS API reference: "You must use JSON dot notation, not bracket notation."
      if (usesBracketNotation(path)) {
        return `Parameter InputPathsMap is not valid. Reason: ${path} (variable ${name}) uses bracket notation; InputPathsMap paths must use JSON dot notation, e.g. $.detail.name, $.resources[0].`;
      }
    }
  }
  if (arn.kind === "sqs" && arn.fifo && !target.SqsParameters?.MessageGroupId) {
    return "Parameter(s) SqsParameters must be specified because the Arn is a FIFO queue.";
  }
  const dlq = target.DeadLetterConfig?.Arn;
  if (dlq !== undefined && parseTargetArn(dlq)?.kind !== "sqs") {
    return `Parameter DeadLetterConfig.Arn is not valid. Reason: ${dlq} is not an SQS queue ARN.`;
  }
  return undefined;
}

export const putTargets: ActionHandler = (input, { store }) => {
  const busName = EventBridgeStore.busNameOf(optionalString(input, "EventBusName"));
  const ruleName = requiredString(input, "Rule", "rule");
  const targets = input.Targets;
  if (!Array.isArray(targets)) throw constraintError(null, "targets", "Member must not be null");
  if (targets.length < 1 || targets.length > 10) {
    throw constraintError(
      targets,
      "targets",
      targets.length < 1
        ? "Member must have length greater than or equal to 1"
        : "Member must have length less than or equal to 10",
    );
  }
  targets.forEach((raw, i) => {
    const field = `targets.${i + 1}.member`;
    if (!isObject(raw)) throw constraintError(raw, field, "Member must not be null");
    const id = raw.Id;
    if (typeof id !== "string")
      throw constraintError(null, `${field}.id`, "Member must not be null");
    if (!TARGET_ID.test(id) || id.length > 64) {
      throw constraintError(
        id,
        `${field}.id`,
        "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
      );
    }
    if (typeof raw.Arn !== "string")
      throw constraintError(null, `${field}.arn`, "Member must not be null");
    const retry = isObject(raw.RetryPolicy) ? raw.RetryPolicy : {};
    checkRange(retry.MaximumRetryAttempts, `${field}.retryPolicy.maximumRetryAttempts`, 0, 185);
    checkRange(
      retry.MaximumEventAgeInSeconds,
      `${field}.retryPolicy.maximumEventAgeInSeconds`,
      60,
      86400,
    );
  });
  const rule = store.requireRule(busName, ruleName);
  const failed: FailedEntry[] = [];
  const accepted: TargetRecord[] = [];
  for (const raw of targets as TargetRecord[]) {
    const problem = problemOf(raw);
    if (problem)
      failed.push({ TargetId: raw.Id, ErrorCode: "ValidationException", ErrorMessage: problem });
    else accepted.push(structuredClone(raw));
  }
  const ids = new Set([...rule.targets.keys(), ...accepted.map((t) => t.Id)]);
  if (ids.size > MAX_TARGETS_PER_RULE) {
    throw new EventBridgeError(
      "LimitExceededException",
      "The requested resource exceeds the maximum number allowed.",
    );
  }
  for (const target of accepted) rule.targets.set(target.Id, target);
  return { FailedEntryCount: failed.length, FailedEntries: failed };
};

export const listTargetsByRule: ActionHandler = (input, { store }) => {
  const busName = EventBridgeStore.busNameOf(optionalString(input, "EventBusName"));
  const rule = store.requireRule(busName, requiredString(input, "Rule", "rule"));
  return { Targets: [...rule.targets.values()].map((t) => structuredClone(t)) };
};

export const removeTargets: ActionHandler = (input, { store }) => {
  const busName = EventBridgeStore.busNameOf(optionalString(input, "EventBusName"));
  const rule = store.requireRule(busName, requiredString(input, "Rule", "rule"));
  const ids = input.Ids;
  if (!Array.isArray(ids) || ids.length < 1) {
    throw constraintError(ids ?? null, "ids", "Member must have length greater than or equal to 1");
  }
  for (const id of ids) if (typeof id === "string") rule.targets.delete(id);
  return { FailedEntryCount: 0, FailedEntries: [] };
};
