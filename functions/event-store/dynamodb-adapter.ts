/**
 * DynamoDB adapter of the event store (the only file of this service that talks to DynamoDB).
 * The document client is injected. Commits are written with ONE conditional put
 * (`attribute_not_exists(pk)`), atomic on AWS and on dynalite alike (no transactions).
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { EventAlreadyExistsError, EventStoreStorageError } from "./errors.ts";
import {
  EVENTS_TABLE_KEYS as K,
  MARKER_SK,
  MAX_VERSION,
  markerKey,
  snapshotKey,
  timeBucket,
  versionKey,
} from "./keys.ts";
import type { Commit, EventMarker, EventStorageAdapter, Snapshot, StoredEvent } from "./port.ts";

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
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new EventAlreadyExistsError(commit.streamId, commit.firstVersion, { cause: error });
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

  async claimMarker(
    marker: EventMarker,
    replacing?: EventMarker,
  ): Promise<EventMarker | undefined> {
    const names: Record<string, string> = { "#pk": K.partitionKey };
    const values: Record<string, unknown> = {};
    let condition = "attribute_not_exists(#pk)";
    if (replacing) {
      names["#v"] = "version";
      names["#o"] = "owner";
      values[":v"] = replacing.version;
      condition = "attribute_exists(#pk) AND #v = :v AND ";
      if (replacing.owner === undefined) condition += "attribute_not_exists(#o)";
      else {
        values[":o"] = replacing.owner;
        condition += "#o = :o";
      }
    }
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [K.partitionKey]: markerKey(marker.eventId),
            [K.sortKey]: MARKER_SK,
            kind: "marker",
            ...marker,
          },
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
        }),
      );
      return undefined;
    } catch (error) {
      if (!isConditionFailure(error)) {
        throw this.storageError(`claim marker of event ${marker.eventId}`, error);
      }
    }
    return (
      (await this.getMarker(marker.eventId)) ?? {
        eventId: marker.eventId,
        streamId: marker.streamId,
        version: 0,
      }
    );
  }

  async releaseMarker(marker: EventMarker): Promise<void> {
    if (marker.owner === undefined) return; // only claims with an owner are released
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { [K.partitionKey]: markerKey(marker.eventId), [K.sortKey]: MARKER_SK },
          ConditionExpression: "#o = :o AND #v = :v",
          ExpressionAttributeNames: { "#o": "owner", "#v": "version" },
          ExpressionAttributeValues: { ":o": marker.owner, ":v": marker.version },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return; // not ours any more: nothing to release
      throw this.storageError(`release marker of event ${marker.eventId}`, error);
    }
  }

  async getMarker(eventId: string): Promise<EventMarker | undefined> {
    try {
      const out = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [K.partitionKey]: markerKey(eventId), [K.sortKey]: MARKER_SK },
          ConsistentRead: true,
        }),
      );
      if (!out.Item) return undefined;
      return {
        eventId,
        streamId: String(out.Item.streamId),
        version: Number(out.Item.version),
        ...(typeof out.Item.owner === "string" ? { owner: out.Item.owner } : {}),
        ...(out.Item.claimedAt === undefined ? {} : { claimedAt: Number(out.Item.claimedAt) }),
      };
    } catch (error) {
      throw this.storageError(`get marker of event ${eventId}`, error);
    }
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

/** Only the table key names the expression uses (DynamoDB rejects unused names). */
function namesUsedBy(expression: string): Record<string, string> {
  const names: Record<string, string> = { "#pk": K.partitionKey };
  if (expression.includes("#sk")) names["#sk"] = K.sortKey;
  return names;
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}
