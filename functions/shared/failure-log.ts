/**
 * Failure records for the DLQ tool: each failed message's reason, source queue, receive count
 * and first/last failure time, kept on the read-models table (pk "failure#<messageId>").
 * SQS keeps a message's id when it moves it to the DLQ, so the tool joins on it.
 */
import type { FailureLog, RecordFailure } from "./batch.ts";
import { type DocumentStore, update } from "./documents.ts";

export interface FailureRecord {
  readonly messageId: string;
  readonly queueArn: string;
  readonly reason: string;
  readonly message: string;
  readonly receiveCount: number;
  readonly failures: number;
  readonly firstFailureAt: string;
  readonly lastFailureAt: string;
  readonly eventType?: string;
  readonly eventId?: string;
}

export const failureKey = (messageId: string) => ({ pk: `failure#${messageId}`, sk: "record" });

export class DynamoDbFailureLog implements FailureLog {
  constructor(private readonly docs: DocumentStore) {}

  async record(failures: readonly RecordFailure[], at: string): Promise<void> {
    for (const f of failures) {
      const key = failureKey(f.messageId);
      await update<FailureRecord | undefined>(
        this.docs,
        key.pk,
        key.sk,
        () => undefined,
        (cur) => ({
          messageId: f.messageId,
          queueArn: f.queueArn,
          reason: f.reason,
          message: f.message.slice(0, 1000),
          receiveCount: f.receiveCount,
          failures: (cur?.failures ?? 0) + 1,
          firstFailureAt: cur?.firstFailureAt ?? at,
          lastFailureAt: at,
          ...(f.eventType ? { eventType: f.eventType } : {}),
          ...(f.eventId ? { eventId: f.eventId } : {}),
        }),
      );
    }
  }

  async get(messageId: string): Promise<FailureRecord | undefined> {
    const key = failureKey(messageId);
    return (await this.docs.get<FailureRecord>(key.pk, key.sk))?.value;
  }
}
