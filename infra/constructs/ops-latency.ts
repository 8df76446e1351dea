/**
 * End-to-end latency budgets, derived from the topology (no CDK here): what p99 of
 * `EndToEndLatency` (handled time minus occurredAt) a consumer may show before it alarms.
 *
 * - Latency-sensitive subscriptions (priority critical or high) get the p99 limit (500 ms by
 *   default) plus their batching window (0 s for every such subscription of the city).
 * - Batching subscriptions (priority normal or info) wait up to their batching window on
 *   purpose, so 500 ms would alarm permanently: their budget is window + slack (5 s by default),
 *   e.g. NotificationBulk 5 s -> 10 s, Media 10 s -> 15 s, Analytics 5 s -> 10 s.
 *
 * The metric carries the dimension `service` (one function), and a function may consume
 * subscriptions of both kinds (Notification: NotificationCritical and NotificationBulk). Its
 * service-level alarm takes the loosest budget of its subscriptions; where an event priority only
 * reaches the function through tighter subscriptions, a per-priority alarm on the dimensions
 * `{service, Priority}` (Priority = the event's meta.priority) holds that tighter budget.
 */
import { PRIORITIES, type Priority } from "../../events/envelope.ts";
import type { FunctionSpec, SubscriptionSpec } from "../topology.ts";

export { PRIORITIES };

/** Subscriptions on the critical path: no batching, tight latency. */
export function isLatencySensitive(sub: SubscriptionSpec): boolean {
  return sub.priority === "critical" || sub.priority === "high";
}

/** The end-to-end p99 budget of one subscription, milliseconds. */
export function subscriptionBudgetMillis(
  sub: SubscriptionSpec,
  p99Millis: number,
  slackSeconds: number,
): number {
  const windowMs = sub.maxBatchingWindowSeconds * 1000;
  return isLatencySensitive(sub) ? p99Millis + windowMs : windowMs + slackSeconds * 1000;
}

/** The event priorities a subscription's pattern lets through (`detail.meta.priority`, else all). */
export function prioritiesOf(sub: SubscriptionSpec): Priority[] {
  const detail = sub.pattern.detail as { meta?: { priority?: unknown } } | undefined;
  const listed = detail?.meta?.priority;
  if (!Array.isArray(listed)) return [...PRIORITIES];
  return PRIORITIES.filter((p) => listed.includes(p));
}

export interface PriorityBudget {
  readonly priority: Priority;
  readonly thresholdMillis: number;
  /** The subscriptions of the function that receive events of this priority. */
  readonly subscriptionIds: readonly string[];
}

export interface LatencyPlan {
  readonly functionId: string;
  readonly service: string;
  /** Service-level alarm threshold: the loosest budget of the function's subscriptions. */
  readonly thresholdMillis: number;
  /** Tighter per-priority alarms (empty when every subscription has the same budget). */
  readonly priorities: readonly PriorityBudget[];
  /** Each subscription's own budget. */
  readonly budgets: Readonly<Record<string, number>>;
}

/** The latency alarms of one function, from the subscriptions it consumes. */
export function latencyPlan(
  fn: FunctionSpec,
  subs: readonly SubscriptionSpec[],
  p99Millis: number,
  slackSeconds: number,
): LatencyPlan | undefined {
  if (subs.length === 0) return undefined;
  const budgets = Object.fromEntries(
    subs.map((s) => [s.id, subscriptionBudgetMillis(s, p99Millis, slackSeconds)]),
  );
  const thresholdMillis = Math.max(...Object.values(budgets));
  const priorities: PriorityBudget[] = [];
  for (const priority of PRIORITIES) {
    const via = subs.filter((s) => prioritiesOf(s).includes(priority));
    if (via.length === 0) continue;
    const budget = Math.max(...via.map((s) => budgets[s.id] ?? thresholdMillis));
    if (budget < thresholdMillis) {
      priorities.push({
        priority,
        thresholdMillis: budget,
        subscriptionIds: via.map((s) => s.id),
      });
    }
  }
  return { functionId: fn.id, service: fn.service, thresholdMillis, priorities, budgets };
}
