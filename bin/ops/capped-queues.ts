/** A QueuePort that receives at most `cap` messages per call, so `redrive --max N` is exact. */
import type { QueueMessage, QueuePort } from "../../functions/dlq/port.ts";

export class CappedQueues implements QueuePort {
  cap = 10;

  constructor(private readonly inner: QueuePort) {}

  receive(queueUrl: string, max: number, visibilitySeconds: number): Promise<QueueMessage[]> {
    return this.inner.receive(queueUrl, Math.max(1, Math.min(max, this.cap)), visibilitySeconds);
  }

  send(queueUrl: string, message: Parameters<QueuePort["send"]>[1]): Promise<void> {
    return this.inner.send(queueUrl, message);
  }

  delete(queueUrl: string, receiptHandle: string): Promise<void> {
    return this.inner.delete(queueUrl, receiptHandle);
  }

  release(queueUrl: string, receiptHandle: string): Promise<void> {
    return this.inner.release(queueUrl, receiptHandle);
  }
}
