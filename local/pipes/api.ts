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

const summary = (p: PipeDefinition) => ({
  Arn: p.Arn,
  Name: p.Name,
  DesiredState: p.DesiredState,
  CurrentState: p.DesiredState,
  CreationTime: p.CreationTime,
  LastModifiedTime: p.LastModifiedTime,
});

/** The given parameters, else the ones the pipe was created with, else none. */
function parametersOf(input: Record<string, unknown>, created: PipeDefinition | undefined) {
  return {
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
}

/** The pipe `input` defines (over `created` for an update), validated. */
function pipeDefinition(
  name: string,
  arn: string,
  input: Record<string, unknown>,
  created?: PipeDefinition,
): PipeDefinition {
  const now = Date.now() / 1000;
  const desired = input.DesiredState ?? created?.DesiredState ?? "RUNNING";
  if (desired !== "RUNNING" && desired !== "STOPPED") {
    throw new PipeError(
      "ValidationException",
      400,
      `DesiredState ${describeValue(desired)} is invalid: allowed RUNNING, STOPPED`,
    );
  }
  return {
    Name: name,
    Arn: arn,
    Source: created?.Source ?? requireSqsArn("Source", input.Source),
    Target: requireSqsArn("Target", input.Target ?? created?.Target),
    DesiredState: desired,
    CreationTime: created?.CreationTime ?? now,
    LastModifiedTime: now,
    ...(typeof input.RoleArn === "string" ? { RoleArn: input.RoleArn } : {}),
    ...(typeof input.Description === "string" ? { Description: input.Description } : {}),
    ...parametersOf(input, created),
  };
}

/** `/v1/pipes[/<name>[/<verb>]]`: the pipe's name (validated) and verb, if any. */
function parsePath(method: string, path: string): { name?: string; verb?: string } {
  const parts = path.split("/").filter(Boolean).map(decodePart); // v1, pipes, name, verb
  const name = parts[2];
  if (parts[0] !== "v1" || parts[1] !== "pipes") {
    throw new PipeError("NotFoundException", 404, `No Pipes operation at ${method} ${path}`);
  }
  if (name !== undefined && !NAME.test(name)) {
    throw new PipeError(
      "ValidationException",
      400,
      `Pipe name "${name.slice(0, 80)}" is invalid: 1-64 characters of A-Z a-z 0-9 . - _`,
    );
  }
  return { ...(name === undefined ? {} : { name }), ...(parts[3] ? { verb: parts[3] } : {}) };
}

/** The pipes by name, each with the runner moving its messages while it is RUNNING. */
class PipeRegistry {
  readonly pipes = new Map<string, { pipe: PipeDefinition; runner: PipeRunner }>();
  constructor(private readonly options: PipesServiceOptions) {}

  get(name: string) {
    const found = this.pipes.get(name);
    if (!found) throw new PipeError("NotFoundException", 404, `Pipe ${name} does not exist.`);
    return found;
  }

  define(name: string, input: Record<string, unknown>, created?: PipeDefinition) {
    const { options } = this;
    const arn = localArn("pipes", options.region, `pipe/${name}`);
    const pipe = pipeDefinition(name, arn, input, created);
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
    this.pipes.set(name, { pipe, runner });
    if (pipe.DesiredState === "RUNNING") runner.start();
    return pipe;
  }

  list(): ServiceResponse {
    return answer(200, {
      Pipes: [...this.pipes.values()].map(({ pipe }) => ({
        ...summary(pipe),
        Source: pipe.Source,
        Target: pipe.Target,
      })),
    });
  }

  /** StartPipe / StopPipe: the runner stops, and starts again when RUNNING. */
  async setState(name: string, verb: "start" | "stop"): Promise<ServiceResponse> {
    const found = this.get(name);
    await found.runner.stop();
    const desired = verb === "start" ? "RUNNING" : "STOPPED";
    return answer(200, summary(this.define(name, { DesiredState: desired }, found.pipe)));
  }

  /** CreatePipe, UpdatePipe, DescribePipe, DeletePipe by method. */
  async onPipe(method: string, name: string, body: Record<string, unknown>) {
    switch (method) {
      case "POST": {
        if (this.pipes.has(name))
          throw new PipeError("ConflictException", 409, `Pipe ${name} already exists.`);
        return answer(200, summary(this.define(name, body)));
      }
      case "PUT": {
        const found = this.get(name);
        await found.runner.stop();
        return answer(200, summary(this.define(name, body, found.pipe)));
      }
      case "GET": {
        const { pipe } = this.get(name);
        return answer(200, { ...pipe, CurrentState: pipe.DesiredState });
      }
      case "DELETE": {
        const found = this.get(name);
        await found.runner.stop();
        this.pipes.delete(name);
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

  async route(method: string, path: string, body: Record<string, unknown>) {
    const { name, verb } = parsePath(method, path);
    if (name === undefined) {
      if (method !== "GET")
        throw new PipeError("ValidationException", 400, `${method} /v1/pipes is not an operation`);
      return this.list();
    }
    if (verb === "start" || verb === "stop") return this.setState(name, verb);
    return this.onPipe(method, name, body);
  }
}

export function createPipesService(options: PipesServiceOptions): PipesService {
  const registry = new PipeRegistry(options);
  return {
    async handle({ method, path, body }) {
      try {
        return await registry.route(method, path, parseInput(body));
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
    list: () => [...registry.pipes.values()].map(({ pipe, runner }) => ({ pipe, ...runner.stats })),
    stopAll: async () => {
      await Promise.all([...registry.pipes.values()].map(({ runner }) => runner.stop()));
    },
  };
}
