/**
 * The console's dead letters: each DLQ of the deployment with its messages and reasons, and
 * redrive, through the DLQ tool `buzzville dlq` uses (functions/dlq/tool.ts, with the CLI's
 * CappedQueues so a redrive moves what it was asked to, in pages of ten).
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { CappedQueues } from "../../bin/ops/capped-queues.ts";
import { type DlqEntry, DlqTool } from "../../functions/dlq/index.ts";
import { SqsQueues } from "../../functions/dlq/sqs-adapter.ts";
import { DynamoDbDocumentStore } from "../../functions/shared/dynamodb-documents.ts";
import { isDlq, SHARED_IDS } from "../../infra/resources.ts";
import type { DeployedQueue, ResourceMap } from "../resource-map.ts";
import { queueDepth } from "../up/inspect.ts";

export interface DeadLetterQueue {
  readonly logicalId: string;
  readonly name: string;
  /** Where redrive sends messages (the queue whose redrive policy names it, or the rule target). */
  readonly source?: string;
  readonly depth: number;
  readonly messages: readonly DlqEntry[];
}

export class ConsoleRequestError extends Error {
  override readonly name = "ConsoleRequestError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class DeadLetters {
  private readonly queues: CappedQueues;
  private readonly tool: DlqTool;

  constructor(
    private readonly resources: ResourceMap,
    private readonly sqs: SQSClient,
    documents: DynamoDBDocumentClient,
  ) {
    const table = resources.tables[SHARED_IDS.readModelsTable]?.name;
    if (!table) throw new Error(`the local deployment has no ${SHARED_IDS.readModelsTable}`);
    this.queues = new CappedQueues(new SqsQueues(sqs));
    this.tool = new DlqTool({
      queues: this.queues,
      docs: new DynamoDbDocumentStore(documents, table),
    });
  }

  private sourceOf(dlq: DeployedQueue): DeployedQueue | undefined {
    const all = Object.values(this.resources.queues);
    const id =
      all.find((q) => q.deadLetterQueue === dlq.logicalId)?.logicalId ??
      Object.values(this.resources.rules).find((r) => r.targetDeadLetterQueue === dlq.logicalId)
        ?.targetQueue;
    return id ? this.resources.queues[id] : undefined;
  }

  /** Every DLQ with its depth; the messages of those that hold any (`buzzville dlq list`). */
  async list(): Promise<DeadLetterQueue[]> {
    const dlqs = Object.values(this.resources.queues).filter(isDlq);
    return Promise.all(
      dlqs.map(async (q) => {
        const depth = (await queueDepth(this.sqs, q)).total;
        const source = this.sourceOf(q)?.logicalId;
        return {
          logicalId: q.logicalId,
          name: q.name,
          ...(source ? { source } : {}),
          depth,
          messages: depth > 0 ? await this.tool.list(q.url) : [],
        };
      }),
    );
  }

  /** Moves up to `max` messages of one DLQ back to its source (`buzzville dlq redrive`). */
  async redrive(logicalId: string, max = 1000): Promise<{ moved: number; completed: number }> {
    const dlq = this.resources.queues[logicalId];
    if (!dlq || !isDlq(dlq)) {
      const known = Object.values(this.resources.queues).filter(isDlq);
      throw new ConsoleRequestError(
        404,
        "ResourceNotFoundException",
        `unknown DLQ ${JSON.stringify(logicalId)}; known: ${known.map((q) => q.logicalId).join(", ")}`,
      );
    }
    const source = this.sourceOf(dlq);
    if (!source) {
      throw new ConsoleRequestError(
        409,
        "InvalidParameterValue",
        `no source queue is known for ${logicalId} (no queue's redrive policy or rule target names it)`,
      );
    }
    let moved = 0;
    let completed = 0;
    while (moved + completed < max) {
      this.queues.cap = Math.min(10, max - moved - completed);
      const r = await this.tool.redrive(dlq.url, source.url, this.queues.cap);
      if (r.moved + r.completed === 0) break;
      moved += r.moved;
      completed += r.completed;
    }
    return { moved, completed };
  }
}
