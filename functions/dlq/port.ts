/** The DLQ tool's queue port: the few SQS operations it needs. SQS adapter + in-memory adapter. */
export interface QueueMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly receiveCount: number;
  /** Epoch ms of the first send (to the source queue) and of the first receive. */
  readonly sentAt?: number;
  readonly firstReceiveAt?: number;
  readonly groupId?: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface QueuePort {
  receive(queueUrl: string, max: number, visibilitySeconds: number): Promise<QueueMessage[]>;
  send(
    queueUrl: string,
    message: {
      body: string;
      groupId?: string;
      deduplicationId?: string;
      attributes: Record<string, string>;
    },
  ): Promise<void>;
  delete(queueUrl: string, receiptHandle: string): Promise<void>;
  /** Makes a received message visible again; a message no longer in flight is not an error. */
  release(queueUrl: string, receiptHandle: string): Promise<void>;
}

/** In-memory queues with SQS's visibility semantics (enough for the tool's unit tests). */
export class InMemoryQueues implements QueuePort {
  private readonly queues = new Map<string, { m: QueueMessage; invisibleUntil: number }[]>();
  private counter = 0;
  /** Fail the next send (fault injection: a crash between send and delete). */
  failNextDelete = false;

  constructor(private readonly now: () => number = Date.now) {}

  put(queueUrl: string, body: string, extra: Partial<QueueMessage> = {}): string {
    const messageId = extra.messageId ?? `msg-${++this.counter}`;
    const list = this.queues.get(queueUrl) ?? [];
    list.push({
      m: { messageId, receiptHandle: "", body, receiveCount: 0, attributes: {}, ...extra },
      invisibleUntil: 0,
    });
    this.queues.set(queueUrl, list);
    return messageId;
  }

  messages(queueUrl: string): QueueMessage[] {
    return (this.queues.get(queueUrl) ?? []).map((x) => x.m);
  }

  async receive(queueUrl: string, max: number, visibilitySeconds: number): Promise<QueueMessage[]> {
    const now = this.now();
    const out: QueueMessage[] = [];
    for (const x of this.queues.get(queueUrl) ?? []) {
      if (out.length >= max || x.invisibleUntil > now) continue;
      x.m = { ...x.m, receiveCount: x.m.receiveCount + 1, receiptHandle: `rh-${++this.counter}` };
      x.invisibleUntil = now + visibilitySeconds * 1000;
      out.push(x.m);
    }
    return out;
  }

  async send(
    queueUrl: string,
    message: {
      body: string;
      groupId?: string;
      deduplicationId?: string;
      attributes: Record<string, string>;
    },
  ): Promise<void> {
    this.put(queueUrl, message.body, {
      attributes: message.attributes,
      ...(message.groupId ? { groupId: message.groupId } : {}),
    });
  }

  async delete(queueUrl: string, receiptHandle: string): Promise<void> {
    if (this.failNextDelete) {
      this.failNextDelete = false;
      throw new Error("InMemoryQueues: injected crash before delete");
    }
    const list = this.queues.get(queueUrl) ?? [];
    this.queues.set(
      queueUrl,
      list.filter((x) => x.m.receiptHandle !== receiptHandle),
    );
  }

  async release(queueUrl: string, receiptHandle: string): Promise<void> {
    for (const x of this.queues.get(queueUrl) ?? []) {
      if (x.m.receiptHandle === receiptHandle) x.invisibleUntil = 0;
    }
  }
}
