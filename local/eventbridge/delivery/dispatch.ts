/** One delivery attempt of an event to one target, through the dispatcher port. */
import type { TargetRecord } from "../store.ts";
import type { EventEnvelope, TargetDispatcher } from "../types.ts";
import { parseTargetArn } from "./arn.ts";
import { DeliveryError } from "./errors.ts";
import { type RenderContext, targetInput } from "./input.ts";

/** Puts an event on another bus (implemented by the engine). */
export type BusForwarder = (busName: string, event: EventEnvelope) => void;

const noDispatcher = (arn: string): Promise<never> =>
  Promise.reject(
    new DeliveryError(
      "NO_DISPATCHER",
      `No dispatcher configured to reach ${arn}: pass options.targets to createEventBridgeService.`,
      { retryable: false },
    ),
  );

export const rejectingDispatcher: TargetDispatcher = {
  sendToSqs: noDispatcher,
  publishToSns: noDispatcher,
  invokeLambda: noDispatcher,
};

export async function dispatchOnce(
  dispatcher: TargetDispatcher,
  forward: BusForwarder,
  target: TargetRecord,
  ctx: RenderContext,
): Promise<void> {
  const arn = parseTargetArn(target.Arn);
  if (!arn || arn.kind === "unsupported") {
    throw new DeliveryError(
      "UNSUPPORTED_TARGET",
      `Target ${target.Arn} cannot be delivered to (supported: sqs, sns, lambda, event-bus).`,
      { retryable: false },
    );
  }
  if (arn.kind === "bus") {
    forward(arn.name, ctx.event);
    return;
  }
  const payload = targetInput(target, ctx);
  switch (arn.kind) {
    case "sqs": {
      const groupId = target.SqsParameters?.MessageGroupId;
      const trace = ctx.traceHeader ? { traceHeader: ctx.traceHeader } : {};
      await dispatcher.sendToSqs(
        target.Arn,
        payload,
        arn.fifo && groupId
          ? { messageGroupId: groupId, messageDeduplicationId: ctx.event.id, ...trace }
          : trace,
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
