/**
 * DynamoDB adapter of the event store (the only file of this service that talks to DynamoDB).
 * The document client is injected. Commits are written with ONE conditional put
 * (`attribute_not_exists(pk)`), atomic on AWS and on dynalite alike (no transactions); no other
 * item is written per event (docs/RELIABILITY.md section 3).
 */
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { EventAlreadyExistsError, EventStoreStorageError } from "./errors.ts";
import {
  EVENTS_TABLE_KEYS as K,
  MAX_VERSION,
  snapshotKey,
  timeBucket,
  versionKey,
} from "./keys.ts";
import type {
  Commit,
  CommitSummary,
  EventStorageAdapter,
  RecentCommits,
  Snapshot,
  StoredEvent,
} from "./port.ts";

/** Commits read per page by readRecentCommits. */
const RECENT_PAGE = 25;

interface StoredEventItem {
  eventId: string;
  version: number;
  type: string;
  source: string;
  occurredAt: string;
  /** JSON of the event's detail (payload and meta), kept verbatim. */
  detail: string;
}

export class DynamoDbEventStorage implements EventStorageAdapter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putCommit(commit: Commit): Promise<void> {
    const first = commit.events[0];
    if (!first) throw new RangeError(`Commit of stream "${commit.streamId}" holds no events`);
    const item = {
      [K.partitionKey]: commit.streamId,
      [K.sortKey]: versionKey(commit.firstVersion),
      kind: "commit",
      streamId: commit.streamId,
      firstVersion: commit.firstVersion,
      lastVersion: commit.lastVersion,
      committedAt: commit.committedAt,
      eventIds: commit.events.map((e) => e.eventId),
      eventTypes: commit.events.map((e) => e.type),
      events: commit.events.map(toItem),
      [K.timeIndexPartitionKey]: timeBucket(first.occurredAt),
      [K.timeIndexSortKey]: `${first.occurredAt}#${first.eventId}`,
    };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: "attribute_not_exists(#pk)",
          ExpressionAttributeNames: { "#pk": K.partitionKey },
          // The commit that won the key comes back with the failure (DynamoDB; dynalite ignores
          // it), so the store moves past it without a read.
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        const existing = collidingCommitOf(error);
        throw new EventAlreadyExistsError(commit.streamId, commit.firstVersion, {
          cause: error,
          ...(existing ? { existing } : {}),
        });
      }
      throw this.storageError(`put commit ${commit.streamId}@${commit.firstVersion}`, error);
    }
  }

  async readHeadVersion(streamId: string): Promise<number> {
    return (await this.readCommitHolding(streamId, MAX_VERSION))?.lastVersion ?? 0;
  }

  async readCommitHolding(streamId: string, version: number): Promise<Commit | undefined> {
    const [item] = await this.query(
      {
        KeyConditionExpression: "#pk = :pk AND #sk <= :v",
        ExpressionAttributeValues: { ":pk": streamId, ":v": versionKey(version) },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      },
      1,
    );
    return item ? fromItem(item) : undefined;
  }

  async readCommits(streamId: string, fromVersion: number, toVersion?: number): Promise<Commit[]> {
    // The commit holding fromVersion may start before it.
    const holding = await this.readCommitHolding(streamId, Math.max(fromVersion, 0));
    const start = holding ? holding.firstVersion : fromVersion;
    const items = await this.query({
      KeyConditionExpression: "#pk = :pk AND #sk BETWEEN :from AND :to",
      ExpressionAttributeValues: {
        ":pk": streamId,
        ":from": versionKey(Math.max(start, 0)),
        ":to": versionKey(toVersion ?? MAX_VERSION),
      },
    });
    return items.map(fromItem).filter((c) => c.lastVersion >= fromVersion);
  }

  async readCommitsInBucket(bucket: string): Promise<Commit[]> {
    const items = await this.query(
      {
        IndexName: K.timeIndex,
        KeyConditionExpression: "#pk = :pk",
        ExpressionAttributeNames: { "#pk": K.timeIndexPartitionKey },
        ExpressionAttributeValues: { ":pk": bucket },
      },
      undefined,
    );
    return items.map(fromItem);
  }

  async readRecentCommits(streamId: string, since: string): Promise<RecentCommits> {
    const commits: CommitSummary[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        // Ids only (no event bodies), newest first, a page at a time: a normal look-back is a
        // handful of commits, so one small request.
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: "#pk = :pk",
            ExpressionAttributeNames: {
              "#pk": K.partitionKey,
              "#f": "firstVersion",
              "#l": "lastVersion",
              "#c": "committedAt",
              "#ids": "eventIds",
            },
            ExpressionAttributeValues: { ":pk": streamId },
            ProjectionExpression: "#f, #l, #c, #ids",
            ScanIndexForward: false,
            ConsistentRead: true,
            Limit: RECENT_PAGE,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of page.Items ?? []) {
          const c = summaryOf(item);
          commits.push(c);
          if (c.committedAt < since) return { commits, complete: false };
        }
        start = page.LastEvaluatedKey;
      } while (start);
    } catch (error) {
      throw this.storageError(`read the recent commits of ${streamId}`, error);
    }
    return { commits, complete: true };
  }

  async putSnapshot(snapshot: Snapshot): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [K.partitionKey]: snapshotKey(snapshot.streamId),
            [K.sortKey]: versionKey(snapshot.version),
            kind: "snapshot",
            streamId: snapshot.streamId,
            version: snapshot.version,
            maxOccurredAt: snapshot.maxOccurredAt,
            takenAt: snapshot.takenAt,
            state: JSON.stringify(snapshot.state),
          },
        }),
      );
    } catch (error) {
      throw this.storageError(`put snapshot ${snapshot.streamId}@${snapshot.version}`, error);
    }
  }

  async latestSnapshot(streamId: string, asOf?: string): Promise<Snapshot | undefined> {
    const items = await this.query(
      {
        KeyConditionExpression: "#pk = :pk",
        ExpressionAttributeValues: { ":pk": snapshotKey(streamId) },
        ScanIndexForward: false,
        ...(asOf === undefined
          ? { Limit: 1 }
          : {
              FilterExpression: "maxOccurredAt <= :asOf",
              ExpressionAttributeValues: { ":pk": snapshotKey(streamId), ":asOf": asOf },
            }),
      },
      1,
    );
    const item = items[0];
    if (!item) return undefined;
    return {
      streamId,
      version: Number(item.version),
      maxOccurredAt: String(item.maxOccurredAt),
      takenAt: String(item.takenAt),
      state: JSON.parse(String(item.state)) as unknown,
    };
  }

  /** Runs a query to completion (or until `max` items), following LastEvaluatedKey. */
  private async query(
    input: Omit<QueryCommandInput, "TableName">,
    max?: number,
  ): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            ExpressionAttributeNames: namesUsedBy(input.KeyConditionExpression ?? ""),
            ...input,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        out.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start && (max === undefined || out.length < max));
    } catch (error) {
      throw this.storageError(`query ${input.IndexName ?? "table"}`, error);
    }
    return max === undefined ? out : out.slice(0, max);
  }

  private storageError(what: string, error: unknown): EventStoreStorageError {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new EventStoreStorageError(
      `Event store could not ${what} in table "${this.tableName}": ${detail}`,
      { cause: error },
    );
  }
}

function toItem(e: StoredEvent): StoredEventItem {
  return {
    eventId: e.eventId,
    version: e.version,
    type: e.type,
    source: e.source,
    occurredAt: e.occurredAt,
    detail: JSON.stringify(e.detail),
  };
}

function summaryOf(item: Record<string, unknown>): CommitSummary {
  return {
    firstVersion: Number(item.firstVersion),
    lastVersion: Number(item.lastVersion),
    committedAt: String(item.committedAt),
    eventIds: (item.eventIds as unknown[]).map(String),
  };
}

function fromItem(item: Record<string, unknown>): Commit {
  const streamId = String(item.streamId);
  const events = (item.events as StoredEventItem[]).map(
    (e): StoredEvent => ({
      eventId: e.eventId,
      streamId,
      version: Number(e.version),
      type: e.type,
      source: e.source,
      occurredAt: e.occurredAt,
      detail: JSON.parse(e.detail) as Record<string, unknown>,
    }),
  );
  return {
    streamId,
    firstVersion: Number(item.firstVersion),
    lastVersion: Number(item.lastVersion),
    committedAt: String(item.committedAt),
    events,
  };
}

/**
 * The commit a failed conditional put returned (`Item` of ConditionalCheckFailedException, in
 * wire format: the document client does not convert it), or undefined when absent or malformed.
 */
export function collidingCommitOf(error: unknown): CommitSummary | undefined {
  const item = (error as { Item?: Record<string, Wire> }).Item;
  const first = Number(item?.firstVersion?.N);
  const last = Number(item?.lastVersion?.N);
  const at = item?.committedAt?.S;
  const ids = item?.eventIds?.L?.map((v) => v.S);
  if (!Number.isInteger(first) || !Number.isInteger(last) || at === undefined || !ids) {
    return undefined;
  }
  if (ids.some((id) => id === undefined)) return undefined;
  return { firstVersion: first, lastVersion: last, committedAt: at, eventIds: ids as string[] };
}

/** The few AttributeValue shapes a commit summary uses. */
interface Wire {
  readonly S?: string;
  readonly N?: string;
  readonly L?: readonly Wire[];
}

/** Only the table key names the expression uses (DynamoDB rejects unused names). */
function namesUsedBy(expression: string): Record<string, string> {
  const names: Record<string, string> = { "#pk": K.partitionKey };
  if (expression.includes("#sk")) names["#sk"] = K.sortKey;
  return names;
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}
