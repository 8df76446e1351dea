/**
 * The AWSTraceHeader system attribute of the messages in the embedded queues. fauxqs keeps no
 * system attributes sent with a message, so the direct queue port (local/queues/direct.ts) keeps
 * each message's trace header here, by message id, and adds it to the message when it is
 * received, as SQS does, until the message is deleted (each receipt handle it was received with
 * names it). Bounded: past `max` headers the oldest are forgotten (a message that waited behind
 * more than `max` traced messages is delivered without its header); so are receipt handles.
 */
import { TRACE_ATTRIBUTE } from "./hops.ts";

export class MessageTraceHeaders {
  private readonly headers = new Map<string, string>();
  /** The message id behind each receipt handle a traced message was received with. */
  private readonly receipts = new Map<string, string>();

  constructor(private readonly max = 100_000) {}

  remember(messageId: string, header: string | undefined): void {
    if (header === undefined || header === "") return;
    bounded(this.headers, messageId, header, this.max);
  }

  /**
   * The attributes of a message received with `receiptHandle`, with its AWSTraceHeader when it
   * was sent with one.
   */
  attributes(
    messageId: string,
    receiptHandle: string,
    attributes: Record<string, string>,
  ): Record<string, string> {
    const header = this.headers.get(messageId);
    if (header === undefined) return attributes;
    bounded(this.receipts, receiptHandle, messageId, this.max);
    return { ...attributes, [TRACE_ATTRIBUTE]: header };
  }

  /** The message received with `receiptHandle` was deleted: its header goes with it. */
  deleted(receiptHandle: string): void {
    const messageId = this.receipts.get(receiptHandle);
    if (messageId === undefined) return;
    this.receipts.delete(receiptHandle);
    this.headers.delete(messageId);
  }

  /** Trace headers held (messages sent with one and not deleted since). */
  get size(): number {
    return this.headers.size;
  }
}

/** Sets `key` in `map`, forgetting the oldest entry once it holds more than `max`. */
function bounded(map: Map<string, string>, key: string, value: string, max: number): void {
  map.set(key, value);
  if (map.size > max) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
}
