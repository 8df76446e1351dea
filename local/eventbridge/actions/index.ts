/** Action name (the part of x-amz-target after "AWSEvents.") → handler. */
import type { ActionHandler } from "../context.ts";
import {
  createArchive,
  deleteArchive,
  describeArchive,
  describeReplay,
  listArchives,
  listReplays,
  startReplay,
} from "./archives.ts";
import { createEventBus, deleteEventBus, describeEventBus, listEventBuses } from "./buses.ts";
import { putEvents } from "./putEvents.ts";
import {
  deleteRule,
  describeRule,
  disableRule,
  enableRule,
  listRuleNamesByTarget,
  listRules,
  putRule,
} from "./rules.ts";
import { listTargetsByRule, putTargets, removeTargets } from "./targets.ts";
import { testEventPattern } from "./testEventPattern.ts";

export const ACTIONS: ReadonlyMap<string, ActionHandler> = new Map<string, ActionHandler>([
  ["CreateEventBus", createEventBus],
  ["DescribeEventBus", describeEventBus],
  ["ListEventBuses", listEventBuses],
  ["DeleteEventBus", deleteEventBus],
  ["PutRule", putRule],
  ["DescribeRule", describeRule],
  ["ListRules", listRules],
  ["ListRuleNamesByTarget", listRuleNamesByTarget],
  ["EnableRule", enableRule],
  ["DisableRule", disableRule],
  ["DeleteRule", deleteRule],
  ["PutTargets", putTargets],
  ["ListTargetsByRule", listTargetsByRule],
  ["RemoveTargets", removeTargets],
  ["PutEvents", putEvents],
  ["TestEventPattern", testEventPattern],
  ["CreateArchive", createArchive],
  ["DescribeArchive", describeArchive],
  ["ListArchives", listArchives],
  ["DeleteArchive", deleteArchive],
  ["StartReplay", startReplay],
  ["DescribeReplay", describeReplay],
  ["ListReplays", listReplays],
]);
