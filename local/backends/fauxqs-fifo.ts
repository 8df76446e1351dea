/**
 * A FIFO receive as SQS makes it: "as many messages with the same message group ID as possible"
 * in one call, then messages of other groups, each group in order (docs/LOCAL.md, "SQS"). fauxqs
 * 2.x hands out one message per group per call, so under a backlog every batch a FIFO consumer
 * got held one message of each of up to ten groups: the event store appended ten streams once
 * each instead of one stream ten times in one commit, and traffic wrote ten intersections
 * (docs/BENCHMARKS.md).
 */
import type { FauxMessage, FauxQueue, FauxReceived } from "./fauxqs.ts";

/** A FIFO message as fauxqs keeps it: its queue's sequence number, zero-padded to 20 digits. */
type Sequenced = FauxMessage & { readonly sequenceNumber?: string };

/** The parts of fauxqs' FIFO queue (`SqsQueue`) the whole-group receive works with. */
interface FauxFifoQueue {
  readonly fifoLockedGroups: Map<string, number>;
  readonly fifoMessages: Map<string, Sequenced[]>;
  readonly inflightMessages: Map<
    string,
    { readonly message: Sequenced; readonly visibilityDeadline: number }
  >;
  dequeueFifo(maxCount: number, visibility?: number, dlqResolver?: unknown): FauxReceived[];
  processTimers(): void;
  changeVisibility(receiptHandle: string, timeoutSeconds: number): void;
}

const isFauxFifoQueue = (queue: object): queue is FauxFifoQueue =>
  "fifoLockedGroups" in queue &&
  queue.fifoLockedGroups instanceof Map &&
  "inflightMessages" in queue &&
  "fifoMessages" in queue &&
  queue.fifoMessages instanceof Map &&
  "dequeueFifo" in queue &&
  typeof queue.dequeueFifo === "function" &&
  "processTimers" in queue &&
  typeof queue.processTimers === "function";

/**
 * Makes a FIFO queue's receive take a group's messages together. fauxqs' own dequeue takes the
 * first message of the first group with none in flight (its redrive to the DLQ, persistence and
 * lock included); taking one at a time with the current group's lock lifted around the call gets
 * that group's next message, or, once it has none, the first message of the next free group.
 * The lock ends up counting every message in flight, as fauxqs' delete and visibility expect.
 * Expired messages come back once per receive, at its first take (fauxqs' `processTimers`): one
 * coming back during a later take would be counted off a lock lifted at that moment, leaving its
 * group held for ever (a receive with VisibilityTimeout 0 made one). Messages of a group that
 * come back are put in sequence order again (`returnInOrder`).
 */
export function receiveWholeGroups(queue: FauxQueue): void {
  if (!queue.isFifo()) return;
  const fifo = fauxFifoQueue(queue);
  returnInOrder(fifo);
  const locks = fifo.fifoLockedGroups;
  const timers = fifo.processTimers.bind(fifo);
  let timersDone = false;
  fifo.processTimers = () => {
    if (!timersDone) timers();
  };
  const takeOne = fifo.dequeueFifo.bind(fifo);
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
    try {
      while (received.length < Math.min(maxCount, 10)) {
        const message = takeNext(group, visibility, dlq);
        timersDone = true;
        if (!message) break;
        received.push(message);
        group = fifo.inflightMessages.get(message.ReceiptHandle)?.message.messageGroupId;
      }
    } finally {
      timersDone = false;
    }
    return received;
  };
}

function fauxFifoQueue(queue: FauxQueue): FauxFifoQueue {
  if (isFauxFifoQueue(queue)) return queue;
  throw new Error(
    `fauxqs' FIFO queue ${queue.name} has no dequeueFifo/fifoMessages/processTimers: the local cloud needs fauxqs 2.x (package.json)`,
  );
}

/**
 * Messages of a group that come back (their visibility timeout ended, or was set to 0) take
 * their places again in sequence order. fauxqs puts each at the front of its group as it comes
 * back, which was right while a group had one message in flight; with a whole group in flight
 * it reversed them.
 */
function returnInOrder(fifo: FauxFifoQueue): void {
  const inOrder = (group: string) => {
    const list = fifo.fifoMessages.get(group);
    if (!list || list.length < 2 || list.some((m) => m.sequenceNumber === undefined)) return;
    list.sort((a, b) => ((a.sequenceNumber ?? "") < (b.sequenceNumber ?? "") ? -1 : 1));
  };
  const processTimers = fifo.processTimers.bind(fifo);
  fifo.processTimers = () => {
    // A superset of what fauxqs will find expired a moment later.
    const soon = Date.now() + 5;
    const groups = new Set<string>();
    for (const { message, visibilityDeadline } of fifo.inflightMessages.values()) {
      if (visibilityDeadline <= soon && message.messageGroupId) groups.add(message.messageGroupId);
    }
    processTimers();
    for (const group of groups) inOrder(group);
  };
  const changeVisibility = fifo.changeVisibility.bind(fifo);
  fifo.changeVisibility = (receiptHandle, timeoutSeconds) => {
    const group = fifo.inflightMessages.get(receiptHandle)?.message.messageGroupId;
    changeVisibility(receiptHandle, timeoutSeconds);
    if (timeoutSeconds === 0 && group) inOrder(group);
  };
}
