/**
 * The EventBridge Pipes REST API (the subset the stack uses): CreatePipe, DescribePipe,
 * UpdatePipe, ListPipes, DeletePipe, StartPipe, StopPipe. Sources and targets are SQS queues.
 * A RUNNING pipe has a PipeRunner moving its messages.
 */

import { tryParseArn } from "../../events/arn.ts";
import { describeValue } from "../../events/issues.ts";
import { localArn } from "../account.ts";
import type { RestJsonService, ServiceResponse } from "../gateway/ports.ts";
import type { QueuePort } from "../queues/port.ts";
import type { HopTracing } from "../xray/hops.ts";
import { PipeRunner } from "./runner.ts";
import { type PipeDefinition, PipeError } from "./types.ts";

export interface PipesServiceOptions {
  readonly region: string;
  /** The queues the runners move messages between (the local cloud's `queues`). */
  readonly queues: QueuePort;
  /** Long-poll wait of the runners, seconds. @default 20 */
  readonly waitTimeSeconds?: number;
  readonly onError?: (pipe: string, error: unknown) => void;
  /** Spans of the queue and the pipe in each message's trace (local/xray/hops.ts). */
  readonly tracing?: HopTracing;
}

export interface PipesService extends RestJsonService {
  /** Pipes by name, with their runners' counters. */
  list(): { pipe: PipeDefinition; moved: number; rejected: number; lastError?: string }[];
  stopAll(): Promise<void>;
}

const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

const answer = (status: number, body: unknown): ServiceResponse => ({
  status,
  body: JSON.stringify(body),
});

function requireSqsArn(field: string, value: unknown): string {
  if (typeof value !== "string" || tryParseArn(value)?.service !== "sqs") {
    throw new PipeError(
      "ValidationException",
      400,
      // Never String(value): a parsed object may carry its own "toString"/"valueOf" keys.
      `${field} ${describeValue(value)} is not supported: the local cloud's Pipes take SQS queue ARNs (arn:aws:sqs:<region>:<account>:<name>)`,
    );
  }
  return value;
}

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new PipeError("ValidationException", 400, "The request path is not valid URI encoding.");
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The request's JSON object (an empty body is `{}`); hostile bodies get a ValidationException. */
function parseInput(body: string): Record<string, unknown> {
  let input: unknown;
  try {
    input = body ? JSON.parse(body) : {};
  } catch {
    throw new PipeError("ValidationException", 400, "Request body is not valid JSON.");
  }
  if (!isObject(input)) {
    throw new PipeError("ValidationException", 400, "Request body must be a JSON object.");
  }
  for (const field of ["SourceParameters", "TargetParameters"]) {
    if (input[field] !== undefined && input[field] !== null && !isObject(input[field])) {
      throw new PipeError("ValidationException", 400, `${field} must be a JSON object.`);
    }
  }
  for (const field of ["RoleArn", "Description", "Name"]) {
    if (input[field] !== undefined && typeof input[field] !== "string") {
      throw new PipeError("ValidationException", 400, `${field} must be a string.`);
    }
  }
  return input;
}

export function createPipesService(options: PipesServiceOptions): PipesService {
  const pipes = new Map<string, { pipe: PipeDefinition; runner: PipeRunner }>();
  const arnOf = (name: string) => localArn("pipes", options.region, `pipe/${name}`);
  const summary = (p: PipeDefinition) => ({
    Arn: p.Arn,
    Name: p.Name,
    DesiredState: p.DesiredState,
    CurrentState: p.DesiredState,
    CreationTime: p.CreationTime,
    LastModifiedTime: p.LastModifiedTime,
  });

  function get(name: string) {
    const found = pipes.get(name);
    if (!found) throw new PipeError("NotFoundException", 404, `Pipe ${name} does not exist.`);
    return found;
  }

  function define(name: string, input: Record<string, unknown>, created?: PipeDefinition) {
    const now = Date.now() / 1000;
    const desired = input.DesiredState ?? created?.DesiredState ?? "RUNNING";
    if (desired !== "RUNNING" && desired !== "STOPPED") {
      throw new PipeError(
        "ValidationException",
        400,
        `DesiredState ${describeValue(desired)} is invalid: allowed RUNNING, STOPPED`,
      );
    }
    const pipe: PipeDefinition = {
      Name: name,
      Arn: arnOf(name),
      Source: created?.Source ?? requireSqsArn("Source", input.Source),
      Target: requireSqsArn("Target", input.Target ?? created?.Target),
      DesiredState: desired,
      CreationTime: created?.CreationTime ?? now,
      LastModifiedTime: now,
      ...(typeof input.RoleArn === "string" ? { RoleArn: input.RoleArn } : {}),
      ...(typeof input.Description === "string" ? { Description: input.Description } : {}),
      ...(input.SourceParameters
        ? { SourceParameters: input.SourceParameters as PipeDefinition["SourceParameters"] }
        : created?.SourceParameters
          ? { SourceParameters: created.SourceParameters }
          : {}),
      ...(input.TargetParameters
        ? { TargetParameters: input.TargetParameters as PipeDefinition["TargetParameters"] }
        : created?.TargetParameters
          ? { TargetParameters: created.TargetParameters }
          : {}),
    };
    const runner = new PipeRunner({
      pipe,
      queues: options.queues,
      region: options.region,
      ...(options.waitTimeSeconds !== undefined
        ? { waitTimeSeconds: options.waitTimeSeconds }
        : {}),
      ...(options.onError ? { onError: options.onError } : {}),
      ...(options.tracing ? { tracing: options.tracing } : {}),
    });
    pipes.set(name, { pipe, runner });
    if (pipe.DesiredState === "RUNNING") runner.start();
    return pipe;
  }

  async function route(method: string, path: string, body: Record<string, unknown>) {
    const parts = path.split("/").filter(Boolean).map(decodePart); // v1, pipes, name, verb
    const name = parts[2];
    if (parts[0] !== "v1" || parts[1] !== "pipes") {
      throw new PipeError("NotFoundException", 404, `No Pipes operation at ${method} ${path}`);
    }
    if (!name) {
      if (method !== "GET")
        throw new PipeError("ValidationException", 400, `${method} /v1/pipes is not an operation`);
      return answer(200, {
        Pipes: [...pipes.values()].map(({ pipe }) => ({
          ...summary(pipe),
          Source: pipe.Source,
          Target: pipe.Target,
        })),
      });
    }
    if (!NAME.test(name)) {
      throw new PipeError(
        "ValidationException",
        400,
        `Pipe name "${name.slice(0, 80)}" is invalid: 1-64 characters of A-Z a-z 0-9 . - _`,
      );
    }
    const verb = parts[3];
    if (verb === "start" || verb === "stop") {
      const found = get(name);
      await found.runner.stop();
      const pipe = define(
        name,
        { DesiredState: verb === "start" ? "RUNNING" : "STOPPED" },
        found.pipe,
      );
      return answer(200, summary(pipe));
    }
    switch (method) {
      case "POST": {
        if (pipes.has(name))
          throw new PipeError("ConflictException", 409, `Pipe ${name} already exists.`);
        return answer(200, summary(define(name, body)));
      }
      case "PUT": {
        const found = get(name);
        await found.runner.stop();
        return answer(200, summary(define(name, body, found.pipe)));
      }
      case "GET": {
        const { pipe } = get(name);
        return answer(200, { ...pipe, CurrentState: pipe.DesiredState });
      }
      case "DELETE": {
        const found = get(name);
        await found.runner.stop();
        pipes.delete(name);
        return answer(200, {
          ...summary(found.pipe),
          DesiredState: "DELETED",
          CurrentState: "DELETING",
        });
      }
      default:
        throw new PipeError("ValidationException", 400, `${method} is not a Pipes operation`);
    }
  }

  return {
    async handle({ method, path, body }) {
      try {
        return await route(method, path, parseInput(body));
      } catch (error) {
        if (error instanceof PipeError) {
          return {
            status: error.status,
            body: JSON.stringify({ message: error.message }),
            headers: { "x-amzn-ErrorType": error.code },
          };
        }
        throw error;
      }
    },
    list: () => [...pipes.values()].map(({ pipe, runner }) => ({ pipe, ...runner.stats })),
    stopAll: async () => {
      await Promise.all([...pipes.values()].map(({ runner }) => runner.stop()));
    },
  };
}
