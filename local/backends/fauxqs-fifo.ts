/**
 * A FIFO receive as SQS makes it: "as many messages with the same message group ID as possible"
 * in one call, then messages of other groups, each group in order (docs/LOCAL.md, "SQS"). fauxqs
 * 2.x hands out one message per group per call, so under a backlog every batch a FIFO consumer
 * got held one message of each of up to ten groups: the event store appended ten streams once
 * each instead of one stream ten times in one commit, and traffic wrote ten intersections
 * (docs/BENCHMARKS.md).
 */
import type { FauxMessage, FauxQueue, FauxReceived } from "./fauxqs.ts";

/** The parts of fauxqs' FIFO queue (`SqsQueue`) the whole-group receive works with. */
interface FauxFifoQueue {
  readonly fifoLockedGroups: Map<string, number>;
  readonly inflightMessages: Map<string, { readonly message: FauxMessage }>;
  dequeueFifo(maxCount: number, visibility?: number, dlqResolver?: unknown): FauxReceived[];
}

const isFauxFifoQueue = (queue: object): queue is FauxFifoQueue =>
  "fifoLockedGroups" in queue &&
  queue.fifoLockedGroups instanceof Map &&
  "inflightMessages" in queue &&
  "dequeueFifo" in queue &&
  typeof queue.dequeueFifo === "function";

/**
 * Makes a FIFO queue's receive take a group's messages together. fauxqs' own dequeue takes the
 * first message of the first group with none in flight (its redrive to the DLQ, persistence and
 * lock included); taking one at a time with the current group's lock lifted around the call gets
 * that group's next message, or, once it has none, the first message of the next free group.
 * The lock ends up counting every message in flight, as fauxqs' delete and visibility expect.
 */
export function receiveWholeGroups(queue: FauxQueue): void {
  if (!queue.isFifo()) return;
  if (!isFauxFifoQueue(queue)) {
    throw new Error(
      `fauxqs' FIFO queue ${queue.name} has no dequeueFifo/fifoLockedGroups: the local cloud needs fauxqs 2.x (package.json)`,
    );
  }
  const fifo: FauxFifoQueue = queue;
  const locks = fifo.fifoLockedGroups;
  const takeOne = fifo.dequeueFifo.bind(queue);
  const takeNext = (group: string | undefined, visibility?: number, dlq?: unknown) => {
    if (group === undefined) return takeOne(1, visibility, dlq)[0];
    const held = locks.get(group) ?? 0;
    locks.delete(group);
    try {
      return takeOne(1, visibility, dlq)[0];
    } finally {
      const total = held + (locks.get(group) ?? 0);
      if (total > 0) locks.set(group, total);
    }
  };
  fifo.dequeueFifo = (maxCount, visibility, dlq) => {
    const received: FauxReceived[] = [];
    let group: string | undefined;
    while (received.length < Math.min(maxCount, 10)) {
      const message = takeNext(group, visibility, dlq);
      if (!message) break;
      received.push(message);
      group = fifo.inflightMessages.get(message.ReceiptHandle)?.message.messageGroupId;
    }
    return received;
  };
}
