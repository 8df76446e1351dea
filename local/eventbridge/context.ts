/** What every action handler gets: the store, time, ids and the delivery engine. */
import type { DeliveryEngine } from "./delivery/engine.ts";
import type { ReplayRunner } from "./delivery/replay.ts";
import type { EventBridgeStore } from "./store.ts";
import type { Clock } from "./types.ts";
import type { Input } from "./validate.ts";

export interface ActionContext {
  readonly store: EventBridgeStore;
  readonly clock: Clock;
  readonly newId: () => string;
  readonly engine: DeliveryEngine;
  readonly replays: ReplayRunner;
  /** PutEvents total request size limit, bytes. */
  readonly maxRequestBytes: number;
}

export type ActionHandler = (input: Input, ctx: ActionContext) => unknown | Promise<unknown>;
