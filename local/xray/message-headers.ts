/**
 * The AWSTraceHeader system attribute of the messages in the embedded queues. fauxqs keeps no
 * system attributes sent with a message, so the direct queue port (local/queues/direct.ts) keeps
 * each message's trace header here, by message id, and adds it to the message when it is
 * received, as SQS does. Bounded: past `max` headers the oldest are forgotten (a message that
 * waited behind more than `max` traced messages is delivered without its header).
 */
import { TRACE_ATTRIBUTE } from "./hops.ts";

export class MessageTraceHeaders {
  private readonly headers = new Map<string, string>();

  constructor(private readonly max = 100_000) {}

  remember(messageId: string, header: string | undefined): void {
    if (header === undefined || header === "") return;
    this.headers.set(messageId, header);
    if (this.headers.size > this.max) {
      const oldest = this.headers.keys().next().value;
      if (oldest !== undefined) this.headers.delete(oldest);
    }
  }

  /** The message's attributes with its AWSTraceHeader, when it was sent with one. */
  attributes(messageId: string, attributes: Record<string, string>): Record<string, string> {
    const header = this.headers.get(messageId);
    return header === undefined ? attributes : { ...attributes, [TRACE_ATTRIBUTE]: header };
  }

  get size(): number {
    return this.headers.size;
  }
}
