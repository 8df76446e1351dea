/**
 * The DLQ tool: lists and records dead-lettered messages (reason, source queue, receive count,
 * first/last failure), and redrives them to their source queue by receive-and-resend (fauxqs has
 * no StartMessageMoveTask). A ledger on the read-models table makes redrive safe across crashes:
 * a message is sent before it is deleted (never lost), and a message whose send was recorded is
 * only deleted on the next run, not sent again (never duplicated). Only a crash inside the send
 * call itself can repeat a send: FIFO queues drop it by deduplication id, and every consumer is
 * idempotent by event id. A resent message gets a new message id, so if it fails again its new
 * DLQ copy is redriven like any other. FIFO DLQs: SQS hands out a group's messages together (at
 * most 10 per receive) and holds the group while they are out, so `list` shows at most the
 * oldest 10 of each group; `redrive` moves them all.
 */
import { queueNameOf } from "../../events/arn.ts";
import type { AnyCityEvent } from "../../events/catalog.ts";
import { DEAD_LETTER_ATTRIBUTES } from "../shared/dead-letter.ts";
import { type DocumentStore, update } from "../shared/documents.ts";
import { parseRecordBody } from "../shared/envelope.ts";
import { messageOf } from "../shared/errors.ts";
import { type FailureRecord, failureKey } from "../shared/failure-log.ts";
import type { QueueMessage, QueuePort } from "./port.ts";

export interface DlqEntry {
  readonly messageId: string;
  readonly dlq: string;
  readonly sourceQueue?: string;
  readonly reason: string;
  readonly detail: string;
  readonly receiveCount: number;
  readonly firstFailureAt?: string;
  readonly lastFailureAt?: string;
  readonly eventType?: string;
  readonly eventId?: string;
}

export interface RedriveResult {
  readonly moved: number;
  /** Sent by an earlier, interrupted run: deleted now without sending again. */
  readonly completed: number;
}

type LedgerStatus = "sending" | "sent";
/** How long a listed message is hidden at most, should the lister die before releasing it. */
const LIST_VISIBILITY_SECONDS = 30;
const ledgerKey = (messageId: string) => ({ pk: `redrive#${messageId}`, sk: "ledger" });
const queueName = (url: string) => url.split("/").pop() ?? url;

export class DlqTool {
  constructor(
    private readonly deps: {
      readonly queues: QueuePort;
      readonly docs: DocumentStore;
      /** Raised with the number of messages found, per DLQ (e.g. an EMF metric). */
      readonly onCount?: (dlq: string, count: number) => void;
    },
  ) {}

  /**
   * Every message SQS hands out while listing. Listing never loses or blocks a message: each one
   * received is made visible again (ChangeMessageVisibility 0) before anything else can fail, in
   * reverse order of receipt so a FIFO group keeps its order, and a message no longer in flight
   * (its visibility ran out) is already visible: nothing to undo. docs/RELIABILITY.md,
   * "Hostile input".
   */
  async list(dlqUrl: string, max = 1000): Promise<DlqEntry[]> {
    const seen = new Map<string, QueueMessage>();
    const received: QueueMessage[] = [];
    try {
      for (;;) {
        const page = await this.deps.queues.receive(dlqUrl, 10, LIST_VISIBILITY_SECONDS);
        received.push(...page);
        const fresh = page.filter((m) => !seen.has(m.messageId));
        for (const m of fresh) seen.set(m.messageId, m);
        if (fresh.length === 0 || seen.size >= max) break;
      }
    } finally {
      for (const m of received.reverse()) await this.deps.queues.release(dlqUrl, m.receiptHandle);
    }
    const entries: DlqEntry[] = [];
    for (const m of seen.values()) entries.push(await this.describe(dlqUrl, m));
    return entries;
  }

  /** Lists the DLQ, records each message on the read-models table, raises the count. */
  async record(dlqUrl: string): Promise<DlqEntry[]> {
    const entries = await this.list(dlqUrl);
    for (const e of entries) {
      await update<DlqEntry | undefined>(
        this.deps.docs,
        `dlq#${queueName(dlqUrl)}`,
        e.messageId,
        () => undefined,
        () => e,
      );
    }
    this.deps.onCount?.(queueName(dlqUrl), entries.length);
    return entries;
  }

  /**
   * Moves the DLQ's messages back to `sourceUrl`. A copy this run resent that is back in the DLQ
   * already (it failed again at once, as an invalid event does) is left there for the next run,
   * so a redrive never ping-pongs. It is known by its `redriveOf` attribute (the DLQ message it
   * was made from), which SQS keeps when it moves a message to the DLQ and the handler kit keeps
   * when it dead-letters a record — not by comparing this machine's clock with SQS timestamps.
   */
  async redrive(dlqUrl: string, sourceUrl: string, max = 10_000): Promise<RedriveResult> {
    let moved = 0;
    let completed = 0;
    const fifo = sourceUrl.endsWith(".fifo");
    const resent = new Set<string>(); // the DLQ messages this run sent back to the source
    const later: string[] = [];
    while (moved + completed < max) {
      const page = await this.deps.queues.receive(dlqUrl, 10, 60);
      if (page.length === 0) break;
      for (const m of page) {
        const copyOf = m.attributes[DEAD_LETTER_ATTRIBUTES.redriveOf];
        if (copyOf !== undefined && resent.has(copyOf)) {
          later.push(m.receiptHandle); // resent by this run and failed again: the next run's
          continue;
        }
        const key = ledgerKey(m.messageId);
        const ledger = await this.deps.docs.get<{ status: LedgerStatus }>(key.pk, key.sk);
        if (ledger?.value.status === "sent") {
          await this.deps.queues.delete(dlqUrl, m.receiptHandle);
          completed += 1;
          continue;
        }
        await update(
          this.deps.docs,
          key.pk,
          key.sk,
          () => ({ status: "sending" as LedgerStatus }),
          () => ({ status: "sending" as LedgerStatus }),
        );
        await this.deps.queues.send(sourceUrl, {
          body: m.body,
          ...(fifo
            ? { groupId: m.groupId ?? "redrive", deduplicationId: `redrive-${m.messageId}` }
            : {}),
          attributes: { ...m.attributes, [DEAD_LETTER_ATTRIBUTES.redriveOf]: m.messageId },
        });
        resent.add(m.messageId);
        await update(
          this.deps.docs,
          key.pk,
          key.sk,
          () => ({ status: "sent" as LedgerStatus }),
          () => ({ status: "sent" as LedgerStatus }),
        );
        await this.deps.queues.delete(dlqUrl, m.receiptHandle);
        moved += 1;
      }
    }
    for (const handle of later) await this.deps.queues.release(dlqUrl, handle);
    return { moved, completed };
  }

  private async describe(dlqUrl: string, m: QueueMessage): Promise<DlqEntry> {
    // A record the kit dead-lettered itself carries its source message id and reason.
    const A = DEAD_LETTER_ATTRIBUTES;
    const key = failureKey(m.attributes[A.sourceMessageId] ?? m.messageId);
    const failure = (await this.deps.docs.get<FailureRecord>(key.pk, key.sk))?.value;
    let event: AnyCityEvent | undefined;
    let invalid: string | undefined;
    try {
      event = parseRecordBody(m.body);
    } catch (error) {
      invalid = messageOf(error);
    }
    const iso = (ms?: number) => (ms === undefined ? undefined : new Date(ms).toISOString());
    const reason =
      failure?.reason ?? m.attributes[A.reason] ?? (invalid ? "validation" : "unknown");
    const detail =
      failure?.message ??
      m.attributes[A.message] ??
      invalid ??
      "no failure was recorded: the consumer crashed or timed out";
    const sourceArn = failure?.queueArn ?? m.attributes[A.sourceQueueArn];
    const firstFailureAt = failure?.firstFailureAt ?? iso(m.firstReceiveAt);
    const lastFailureAt = failure?.lastFailureAt;
    return {
      messageId: m.messageId,
      dlq: queueName(dlqUrl),
      ...(sourceArn ? { sourceQueue: queueNameOf(sourceArn) } : {}),
      reason,
      detail,
      // The failure log may not be written yet when the dead letter is listed: the letter's own
      // attribute says how often its source queue had delivered it.
      receiveCount: Math.max(
        m.receiveCount - 1,
        failure?.receiveCount ?? 0,
        Number(m.attributes[A.sourceReceiveCount] ?? 0) || 0,
      ),
      ...(firstFailureAt ? { firstFailureAt } : {}),
      ...(lastFailureAt ? { lastFailureAt } : {}),
      ...(event ? { eventType: event.detailType, eventId: event.detail.meta.eventId } : {}),
    };
  }
}
