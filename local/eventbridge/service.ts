/**
 * The EventBridge API as a library: routes `x-amz-target: AWSEvents.<Action>` to one handler
 * per action and renders AWS JSON 1.1 responses and errors. The gateway owns the socket.
 */
import { randomUUID } from "node:crypto";
import { LOCAL_ACCOUNT } from "../account.ts";
import { pruneArchives } from "./actions/archives.ts";
import { ACTIONS } from "./actions/index.ts";
import { MAX_REQUEST_BYTES, putEventsEntries } from "./actions/putEvents.ts";
import type { ActionContext } from "./context.ts";
import { rejectingDispatcher } from "./delivery/dispatch.ts";
import { DeliveryEngine } from "./delivery/engine.ts";
import { DeliveryJournal } from "./delivery/journal.ts";
import { ReplayRunner } from "./delivery/replay.ts";
import { EventBridgeError, InternalError, UnknownOperationError } from "./errors.ts";
import { EventBridgeStore } from "./store.ts";
import type {
  EventBridgeRequest,
  EventBridgeResponse,
  EventBridgeService,
  EventBridgeServiceOptions,
  Scheduler,
} from "./types.ts";
import { parseBody } from "./validate.ts";

const CONTENT_TYPE = "application/x-amz-json-1.1";
const TARGET_PREFIX = "AWSEvents.";

const globalScheduler: Scheduler = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

function respond(
  statusCode: number,
  payload: unknown,
  extra: Record<string, string> = {},
): EventBridgeResponse {
  return {
    statusCode,
    headers: { "content-type": CONTENT_TYPE, "x-amzn-requestid": randomUUID(), ...extra },
    body: JSON.stringify(payload),
  };
}

function errorResponse(error: EventBridgeError): EventBridgeResponse {
  return respond(error.statusCode, error.toWire(), { "x-amzn-errortype": error.code });
}

export function createEventBridgeService(
  options: EventBridgeServiceOptions = {},
): EventBridgeService {
  const clock = options.clock ?? { now: () => Date.now() };
  const store = new EventBridgeStore(
    options.region ?? "us-east-1",
    options.accountId ?? LOCAL_ACCOUNT,
  );
  store.addBus("default", clock.now());
  const engine = new DeliveryEngine({
    store,
    clock,
    scheduler: options.scheduler ?? globalScheduler,
    random: options.random ?? Math.random,
    dispatcher: options.targets ?? rejectingDispatcher,
    retryBaseDelayMs: options.retryBaseDelayMs ?? 1000,
    retryMaxDelayMs: options.retryMaxDelayMs ?? 60_000,
    ...(options.dataDir ? { journal: new DeliveryJournal(options.dataDir) } : {}),
    ...(options.tracing ? { tracing: options.tracing } : {}),
  });
  const ctx: ActionContext = {
    store,
    clock,
    newId: options.newId ?? randomUUID,
    engine,
    replays: new ReplayRunner(store, engine, clock),
    maxRequestBytes: options.maxRequestBytes ?? MAX_REQUEST_BYTES,
  };

  async function handle(request: EventBridgeRequest): Promise<EventBridgeResponse> {
    const action = request.target.startsWith(TARGET_PREFIX)
      ? request.target.slice(TARGET_PREFIX.length)
      : request.target;
    try {
      const handler = ACTIONS.get(action);
      if (!handler || !request.target.startsWith(TARGET_PREFIX))
        throw new UnknownOperationError(action);
      const result = await handler(parseBody(request.body), ctx);
      return respond(200, result ?? {});
    } catch (error) {
      if (error instanceof EventBridgeError) return errorResponse(error);
      return errorResponse(new InternalError(`Internal error while handling ${action}.`, error));
    }
  }

  return {
    handle,
    putEvents: async (entries) => putEventsEntries(entries, ctx),
    onEvent: (observer) => engine.onEvent(observer),
    idle: () => engine.idle(),
    pending: (limit) => engine.pending(limit),
    pruneArchives: () => pruneArchives(store, clock.now()),
    close: () => engine.close(),
  };
}
