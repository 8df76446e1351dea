/** One delivery attempt of an event to one target, through the dispatcher port. */
import type { TargetRecord } from "../store.ts";
import type { EventEnvelope, TargetDispatcher } from "../types.ts";
import { parseTargetArn } from "./arn.ts";
import { type RenderContext, targetInput } from "./input.ts";

export class DeliveryError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DeliveryError";
    this.code = code;
  }
}

/** Puts an event on another bus (implemented by the engine). */
export type BusForwarder = (busName: string, event: EventEnvelope) => void;

export const rejectingDispatcher: TargetDispatcher = {
  sendToSqs: (arn) =>
    Promise.reject(new DeliveryError("NO_DISPATCHER", `No dispatcher configured to reach ${arn}.`)),
  publishToSns: (arn) =>
    Promise.reject(new DeliveryError("NO_DISPATCHER", `No dispatcher configured to reach ${arn}.`)),
  invokeLambda: (arn) =>
    Promise.reject(new DeliveryError("NO_DISPATCHER", `No dispatcher configured to reach ${arn}.`)),
};

export async function dispatchOnce(
  dispatcher: TargetDispatcher,
  forward: BusForwarder,
  target: TargetRecord,
  ctx: RenderContext,
): Promise<void> {
  const arn = parseTargetArn(target.Arn);
  if (!arn || arn.kind === "unsupported") {
    throw new DeliveryError("UNSUPPORTED_TARGET", `Target ${target.Arn} cannot be delivered to.`);
  }
  if (arn.kind === "bus") {
    forward(arn.name, ctx.event);
    return;
  }
  const payload = targetInput(target, ctx);
  switch (arn.kind) {
    case "sqs": {
      const groupId = target.SqsParameters?.MessageGroupId;
      await dispatcher.sendToSqs(
        target.Arn,
        payload,
        arn.fifo && groupId
          ? { messageGroupId: groupId, messageDeduplicationId: ctx.event.id }
          : {},
      );
      return;
    }
    case "sns":
      await dispatcher.publishToSns(target.Arn, payload);
      return;
    case "lambda":
      await dispatcher.invokeLambda(target.Arn, payload);
      return;
  }
}

/** AWS-style error code for the DLQ's ERROR_CODE attribute. */
export function errorCodeOf(error: unknown): string {
  if (error instanceof DeliveryError) return error.code;
  if (typeof error === "object" && error !== null) {
    const named =
      (error as { code?: unknown; name?: unknown }).code ?? (error as { name?: unknown }).name;
    if (typeof named === "string" && named !== "Error") return named;
  }
  return "SDK_CLIENT_ERROR";
}

export const errorMessageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
