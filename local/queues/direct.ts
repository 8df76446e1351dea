/**
 * The queue port over the embedded SQS, reached directly: each method calls fauxqs' own action
 * (the code that serves the same action on the wire) on its store, so validation, FIFO group
 * locking, deduplication, MD5s, visibility timeouts and redrive to the DLQ are fauxqs' own; only
 * the SDK (building, signing, serializing, parsing) and Fastify are gone. Every call is counted
 * as the SQS action it stands for (`cloud` origin), as AWS would bill it.
 *
 * Long polls wait without polling: a receiver that found nothing joins the queue's waiters,
 * which fauxqs wakes when a message is enqueued or becomes visible, and sets one timer for the
 * earliest visibility timeout or delay that expires within its wait. An idle queue costs no CPU.
 */
import type { FauxQueue, FauxReceived, FauxSqs, FauxWaiter } from "../backends/fauxqs.ts";
import type { RequestCounter } from "../request-counts.ts";
import { MessageTraceHeaders } from "../xray/message-headers.ts";
import {
  type BatchResult,
  QueueActionError,
  type QueueMessage,
  type QueuePort,
  type ReceiveOptions,
  requireQueueArn,
  type SendEntry,
} from "./port.ts";

const ALL = ["All"];

/**
 * The port over `sqs`. `traces` holds the messages' AWSTraceHeader system attribute, which fauxqs
 * does not keep (local/xray/message-headers.ts); tests pass their own to look at it.
 */
export function directQueuePort(
  sqs: FauxSqs,
  requests?: RequestCounter,
  traces = new MessageTraceHeaders(),
): QueuePort {
  const { store, actions } = sqs;
  const call = <T>(action: string, run: () => T | Promise<T>): Promise<T> => {
    requests?.count("cloud", "sqs", action);
    return asQueueActionError(sqs, action, run);
  };
  const urlOf = (queueArn: string) => queueOf(sqs, queueArn).url;
  return {
    sendMessage: (queueArn, entry) =>
      call("SendMessage", () => {
        const out = actions.sendMessage(
          { QueueUrl: urlOf(queueArn), ...sendRequest(entry) },
          store,
        );
        traces.remember(out.MessageId, entry.traceHeader);
        return { messageId: out.MessageId, sequenceNumber: out.SequenceNumber };
      }),
    sendMessageBatch: (queueArn, entries) =>
      call("SendMessageBatch", () => {
        const Entries = entries.map((e) => ({ Id: e.id, ...sendRequest(e) }));
        const out = actions.sendMessageBatch({ QueueUrl: urlOf(queueArn), Entries }, store);
        for (const sent of out.Successful as readonly { Id: string; MessageId?: string }[]) {
          const header = entries.find((e) => e.id === sent.Id)?.traceHeader;
          if (sent.MessageId && header) traces.remember(sent.MessageId, header);
        }
        return batchResult(out);
      }),
    receiveMessage: (queueArn, options) =>
      call("ReceiveMessage", async () =>
        (await longPoll(sqs, queueArn, options)).map((m) =>
          m.attributes.AWSTraceHeader !== undefined || traces.size === 0
            ? m
            : {
                ...m,
                attributes: traces.attributes(m.messageId, m.receiptHandle, { ...m.attributes }),
              },
        ),
      ),
    deleteMessageBatch: (queueArn, entries) =>
      call("DeleteMessageBatch", () => {
        const Entries = entries.map((e) => ({ Id: e.id, ReceiptHandle: e.receiptHandle }));
        const result = batchResult(
          actions.deleteMessageBatch({ QueueUrl: urlOf(queueArn), Entries }, store),
        );
        if (traces.size > 0) {
          for (const e of entries)
            if (result.successful.includes(e.id)) traces.deleted(e.receiptHandle);
        }
        return result;
      }),
    changeMessageVisibility: (queueArn, receiptHandle, seconds) =>
      call("ChangeMessageVisibility", () => {
        const request = { ReceiptHandle: receiptHandle, VisibilityTimeout: seconds };
        actions.changeMessageVisibility({ QueueUrl: urlOf(queueArn), ...request }, store);
      }),
  };
}

/** The queue an ARN names (by ARN, then by name in the local account, as its URL would). */
function queueOf({ store }: FauxSqs, queueArn: string): FauxQueue {
  const { name } = requireQueueArn(queueArn);
  const queue = store.getQueueByArn(queueArn) ?? store.getQueueByName(name);
  if (!queue) {
    throw new QueueActionError("QueueDoesNotExist", `The queue ${queueArn} does not exist.`);
  }
  return queue;
}

/** Runs one action, turning fauxqs' SqsError into a QueueActionError (same code). */
async function asQueueActionError<T>(
  sqs: FauxSqs,
  action: string,
  run: () => T | Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!sqs.isSqsError(error)) throw error;
    throw new QueueActionError(error.code, `${action}: ${error.message}`, {
      cause: error,
      senderFault: error.senderFault,
    });
  }
}

/** ReceiveMessage: look; when nothing is there, sleep until woken (`wake`) and look again. */
async function longPoll(
  sqs: FauxSqs,
  queueArn: string,
  options: ReceiveOptions,
): Promise<QueueMessage[]> {
  const until = Date.now() + options.waitSeconds * 1000;
  for (;;) {
    const queue = queueOf(sqs, queueArn);
    const request = {
      QueueUrl: queue.url,
      MaxNumberOfMessages: options.maxMessages,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ALL,
      MessageAttributeNames: ALL,
    };
    const { Messages = [] } = await sqs.actions.receiveMessage(request, sqs.store);
    if (Messages.length > 0 || Date.now() >= until || options.signal?.aborted) {
      return Messages.map(queueMessage);
    }
    await wake(queue, until, options.signal);
  }
}

function sendRequest(entry: SendEntry): Record<string, unknown> {
  return {
    MessageBody: entry.body,
    ...(entry.messageGroupId ? { MessageGroupId: entry.messageGroupId } : {}),
    ...(entry.messageDeduplicationId
      ? { MessageDeduplicationId: entry.messageDeduplicationId }
      : {}),
    ...(entry.messageAttributes ? { MessageAttributes: entry.messageAttributes } : {}),
  };
}

function batchResult(out: {
  Successful: readonly { Id: string }[];
  Failed: readonly { Id: string; Code: string; Message: string; SenderFault: boolean }[];
}): BatchResult {
  return {
    successful: out.Successful.map((s) => s.Id),
    failed: out.Failed.map((f) => ({
      id: f.Id,
      code: f.Code,
      message: f.Message,
      senderFault: f.SenderFault,
    })),
  };
}

function queueMessage(m: FauxReceived): QueueMessage {
  return {
    messageId: m.MessageId,
    receiptHandle: m.ReceiptHandle,
    body: m.Body,
    md5OfBody: m.MD5OfBody,
    attributes: m.Attributes ?? {},
    // A copy: fauxqs hands out the stored message's own attribute map.
    messageAttributes: { ...m.MessageAttributes },
  };
}

/**
 * When something may have become receivable in `queue`: the earliest visibility deadline or
 * delay that ends (fauxqs makes such messages visible when a receive looks), else `Infinity`.
 */
export function nextDueAt(queue: FauxQueue): number {
  let due = Number.POSITIVE_INFINITY;
  for (const { visibilityDeadline } of queue.inflightMessages.values()) {
    if (visibilityDeadline < due) due = visibilityDeadline;
  }
  for (const message of queue.delayedMessages) {
    if (message.delayUntil !== undefined && message.delayUntil < due) due = message.delayUntil;
  }
  for (const group of queue.fifoDelayed.values()) {
    for (const message of group) {
      if (message.delayUntil !== undefined && message.delayUntil < due) due = message.delayUntil;
    }
  }
  return due;
}

/**
 * Resolves when fauxqs notifies the queue's waiters (a message was enqueued, a FIFO group was
 * unlocked, a message was made visible, the queue was deleted), when the earliest visibility
 * timeout or delay ends, at `until`, or when `signal` aborts; whichever comes first.
 */
function wake(queue: FauxQueue, until: number, signal: AbortSignal | undefined): Promise<void> {
  rearmOnVisibilityChange(queue);
  return new Promise((resolve) => {
    const target = Math.min(until, nextDueAt(queue));
    const done = () => {
      clearTimeout(waiter.timer);
      const at = queue.pollWaiters.indexOf(waiter);
      if (at >= 0) queue.pollWaiters.splice(at, 1);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    // A timer may fire a little before Date.now() reaches its deadline (timers keep their own
    // clock): it then waits out the rest, so a visibility deadline is never looked at early.
    const fire = () => {
      const left = target - Date.now();
      if (left > 0) waiter.timer = setTimeout(fire, left);
      else done();
    };
    const waiter = { resolve: done, timer: setTimeout(fire, Math.max(1, target - Date.now())) };
    ours.add(waiter);
    queue.pollWaiters.push(waiter);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** The port's own waiters (fauxqs' HTTP long polls wait in the same list). */
const ours = new WeakSet<FauxWaiter>();
const rearmed = new WeakSet<FauxQueue>();

/**
 * fauxqs wakes waiters when messages arrive or are made visible at once, not when a visibility
 * timeout is moved (ChangeMessageVisibility > 0, e.g. a handler's retry backoff): the port's
 * waiters must then re-arm their timer at the new deadline. Done once per queue, and only the
 * port's waiters are woken: an HTTP long poll keeps waiting as on SQS.
 */
function rearmOnVisibilityChange(queue: FauxQueue): void {
  if (rearmed.has(queue)) return;
  rearmed.add(queue);
  const change = queue.changeVisibility.bind(queue);
  queue.changeVisibility = (receiptHandle, timeoutSeconds) => {
    change(receiptHandle, timeoutSeconds);
    for (const waiter of queue.pollWaiters.filter((w) => ours.has(w))) waiter.resolve();
  };
}
