/** CreateArchive, DescribeArchive, ListArchives, DeleteArchive, StartReplay, DescribeReplay, ListReplays. */

import { arnResourceName } from "../../../events/arn.ts";
import type { ActionHandler } from "../context.ts";
import { ResourceAlreadyExistsError, ResourceNotFoundError, ValidationError } from "../errors.ts";
import { compilePattern } from "../patterns/index.ts";
import type { ArchiveRecord, EventBridgeStore, ReplayRecord } from "../store.ts";
import {
  ARCHIVE_NAME,
  checkName,
  constraintError,
  type Input,
  optionalString,
  paginate,
  REPLAY_NAME,
  requiredString,
  toEpochMs,
  toEpochSeconds,
} from "../validate.ts";

const DAY_MS = 86_400_000;

function prune(archive: ArchiveRecord, now: number): void {
  if (archive.retentionDays <= 0) return;
  const cutoff = now - archive.retentionDays * DAY_MS;
  // Compacted in place: a spread of a day's events into splice() would exceed the call-argument limit.
  let kept = 0;
  for (const e of archive.events) if (e.ingestedAt >= cutoff) archive.events[kept++] = e;
  archive.events.length = kept;
}

/** Drops every archive's events older than its retention (what Describe/List do lazily). */
export function pruneArchives(store: EventBridgeStore, now: number): void {
  for (const archive of store.archives.values()) prune(archive, now);
}

function requireArchive(store: EventBridgeStore, name: string): ArchiveRecord {
  const archive = store.archives.get(name);
  if (!archive) throw new ResourceNotFoundError(`Archive ${name} does not exist.`);
  return archive;
}

const counts = (a: ArchiveRecord) => ({
  SizeBytes: a.events.reduce((n, e) => n + e.sizeBytes, 0),
  EventCount: a.events.length,
});

export const createArchive: ActionHandler = (input, { store, clock }) => {
  const name = checkName(requiredString(input, "ArchiveName", "archiveName"), ARCHIVE_NAME);
  const sourceArn = requiredString(input, "EventSourceArn", "eventSourceArn");
  const bus = store.busByArn(sourceArn);
  if (!bus) {
    throw new ResourceNotFoundError(
      `Event bus ${arnResourceName(sourceArn, "event-bus") ?? sourceArn} does not exist.`,
    );
  }
  if (store.archives.has(name))
    throw new ResourceAlreadyExistsError(`Archive ${name} already exists.`);
  const eventPattern = optionalString(input, "EventPattern");
  const retention = input.RetentionDays ?? 0;
  if (typeof retention !== "number" || !Number.isInteger(retention) || retention < 0) {
    throw constraintError(
      retention,
      "retentionDays",
      "Member must have value greater than or equal to 0",
    );
  }
  const description = optionalString(input, "Description");
  const archive: ArchiveRecord = {
    name,
    arn: store.arn(`archive/${name}`),
    eventSourceArn: sourceArn,
    busName: bus.name,
    retentionDays: retention,
    state: "ENABLED",
    creationTime: clock.now(),
    events: [],
    ...(description === undefined ? {} : { description }),
    ...(eventPattern === undefined ? {} : { eventPattern, compiled: compilePattern(eventPattern) }),
  };
  store.archives.set(name, archive);
  return {
    ArchiveArn: archive.arn,
    State: archive.state,
    CreationTime: toEpochSeconds(archive.creationTime),
  };
};

export const describeArchive: ActionHandler = (input, { store, clock }) => {
  const archive = requireArchive(store, requiredString(input, "ArchiveName", "archiveName"));
  prune(archive, clock.now());
  return {
    ArchiveArn: archive.arn,
    ArchiveName: archive.name,
    EventSourceArn: archive.eventSourceArn,
    ...(archive.description === undefined ? {} : { Description: archive.description }),
    ...(archive.eventPattern === undefined ? {} : { EventPattern: archive.eventPattern }),
    State: archive.state,
    RetentionDays: archive.retentionDays,
    ...counts(archive),
    CreationTime: toEpochSeconds(archive.creationTime),
  };
};

export const listArchives: ActionHandler = (input, { store, clock }) => {
  const prefix = optionalString(input, "NamePrefix") ?? "";
  const source = optionalString(input, "EventSourceArn");
  const state = optionalString(input, "State");
  const archives = [...store.archives.values()]
    .filter(
      (a) =>
        a.name.startsWith(prefix) &&
        (!source || a.eventSourceArn === source) &&
        (!state || a.state === state),
    )
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((a) => {
      prune(a, clock.now());
      return {
        ArchiveName: a.name,
        EventSourceArn: a.eventSourceArn,
        State: a.state,
        RetentionDays: a.retentionDays,
        ...counts(a),
        CreationTime: toEpochSeconds(a.creationTime),
      };
    });
  const { page, nextToken } = paginate(archives, input);
  return { Archives: page, ...(nextToken ? { NextToken: nextToken } : {}) };
};

export const deleteArchive: ActionHandler = (input, { store }) => {
  const name = requiredString(input, "ArchiveName", "archiveName");
  requireArchive(store, name);
  store.archives.delete(name);
  return {};
};

function requiredTime(input: Input, key: string, field: string): number {
  const ms = toEpochMs(input[key]);
  if (ms === undefined) throw constraintError(null, field, "Member must not be null");
  return ms;
}

export const startReplay: ActionHandler = (input, { store, clock, replays }) => {
  const name = checkName(requiredString(input, "ReplayName", "replayName"), REPLAY_NAME);
  const sourceArn = requiredString(input, "EventSourceArn", "eventSourceArn");
  const start = requiredTime(input, "EventStartTime", "eventStartTime");
  const end = requiredTime(input, "EventEndTime", "eventEndTime");
  const destination = input.Destination as { Arn?: unknown; FilterArns?: unknown } | undefined;
  if (typeof destination?.Arn !== "string")
    throw constraintError(null, "destination", "Member must not be null");
  const archiveName = arnResourceName(sourceArn, "archive") ?? "";
  const archive = requireArchive(store, archiveName);
  if (store.replays.has(name))
    throw new ResourceAlreadyExistsError(`Replay ${name} already exists.`);
  if (start >= end) {
    throw new ValidationError(
      "Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.",
    );
  }
  if (end > clock.now()) {
    throw new ValidationError(
      "Parameter EventEndTime is not valid. Reason: EventEndTime cannot be in the future.",
    );
  }
  if (destination.Arn !== archive.eventSourceArn) {
    throw new ValidationError(
      "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.",
    );
  }
  const filterArns = Array.isArray(destination.FilterArns)
    ? destination.FilterArns.filter((a): a is string => typeof a === "string")
    : undefined;
  for (const arn of filterArns ?? []) {
    if (!store.ruleByArn(arn))
      throw new ValidationError(
        `Parameter FilterArns is not valid. Reason: Rule ${arn} does not exist.`,
      );
  }
  const description = optionalString(input, "Description");
  const replay: ReplayRecord = {
    name,
    arn: store.arn(`replay/${name}`),
    state: "STARTING",
    stateReason: "Replay accepted",
    eventSourceArn: sourceArn,
    destination: { Arn: destination.Arn, ...(filterArns ? { FilterArns: filterArns } : {}) },
    eventStartTime: start,
    eventEndTime: end,
    replayStartTime: clock.now(),
    replayedCount: 0,
    totalCount: 0,
    ...(description === undefined ? {} : { description }),
  };
  store.replays.set(name, replay);
  replays.start(replay, archive.name);
  return {
    ReplayArn: replay.arn,
    State: replay.state,
    StateReason: replay.stateReason,
    ReplayStartTime: toEpochSeconds(replay.replayStartTime),
  };
};

const describeReplayRecord = (r: ReplayRecord) => ({
  ReplayName: r.name,
  ReplayArn: r.arn,
  ...(r.description === undefined ? {} : { Description: r.description }),
  State: r.state,
  ...(r.stateReason === undefined ? {} : { StateReason: r.stateReason }),
  EventSourceArn: r.eventSourceArn,
  Destination: r.destination,
  EventStartTime: toEpochSeconds(r.eventStartTime),
  EventEndTime: toEpochSeconds(r.eventEndTime),
  ...(r.eventLastReplayedTime === undefined
    ? {}
    : { EventLastReplayedTime: toEpochSeconds(r.eventLastReplayedTime) }),
  ReplayStartTime: toEpochSeconds(r.replayStartTime),
  ...(r.replayEndTime === undefined ? {} : { ReplayEndTime: toEpochSeconds(r.replayEndTime) }),
});

export const describeReplay: ActionHandler = (input, { store }) => {
  const name = requiredString(input, "ReplayName", "replayName");
  const replay = store.replays.get(name);
  if (!replay) throw new ResourceNotFoundError(`Replay ${name} does not exist.`);
  return describeReplayRecord(replay);
};

export const listReplays: ActionHandler = (input, { store }) => {
  const prefix = optionalString(input, "NamePrefix") ?? "";
  const replays = [...store.replays.values()]
    .filter((r) => r.name.startsWith(prefix))
    .map((r) => {
      const {
        Destination: _d,
        Description: _x,
        ReplayArn: _a,
        ...summary
      } = describeReplayRecord(r) as Record<string, unknown>;
      return summary;
    });
  const { page, nextToken } = paginate(replays, input);
  return { Replays: page, ...(nextToken ? { NextToken: nextToken } : {}) };
};
