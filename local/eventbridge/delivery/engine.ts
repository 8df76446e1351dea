/**
 * Routes events received by a bus: archives capture them, enabled rules whose pattern
 * matches deliver them to every target, asynchronously, with the target's RetryPolicy
 * (exponential backoff with jitter on the injected scheduler) and, once retries or event
 * age are exhausted, its DeadLetterConfig (SQS, with AWS's message attributes). Errors that
 * retrying cannot fix (target missing, access denied, invalid parameter: see errors.ts) skip
 * the retries and go to the dead-letter queue at once, as AWS does.
 *
 * Every delivery still owed (first attempt in flight, retry waiting) is listed by `pending()`
 * (the run summary's `undrained`) and, with a journal (`--data-dir`), written to it before
 * PutEvents answers, so a restarted local cloud finishes it (docs/RELIABILITY.md).
 */
import { randomUUID } from "node:crypto";
import { equalJitterDelayMs } from "../../../events/backoff.ts";
import { eventAnnotations, type HopTracing } from "../../xray/hops.ts";
import { type FlattenedEvent, flattenEvent, matchesFlattened } from "../patterns/index.ts";
import type { EventBridgeStore, RuleRecord, TargetRecord } from "../store.ts";
import type {
  Clock,
  DeliveryRef,
  EventBridgeObservation,
  EventBridgeObserver,
  EventEnvelope,
  ExhaustedCondition,
  Scheduler,
  TargetDispatcher,
} from "../types.ts";
import { dispatchOnce } from "./dispatch.ts";
import { DeliveryError, errorCodeOf, errorMessageOf, isRetriable } from "./errors.ts";
import type { RenderContext } from "./input.ts";
import type { DeliveryJournal, JournaledDelivery } from "./journal.ts";

const DEFAULT_MAX_RETRIES = 185;
const DEFAULT_MAX_AGE_S = 86_400;
/** Bus-to-bus hops allowed before an event is dropped (loop guard). */
const MAX_HOPS = 5;

interface Timer {
  handle?: unknown;
  done: boolean;
}

export interface EngineOptions {
  readonly store: EventBridgeStore;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly random: () => number;
  readonly dispatcher: TargetDispatcher;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  /** Where deliveries still owed are kept across restarts; in memory only when omitted. */
  readonly journal?: DeliveryJournal;
  /** Spans of the bus and of each delivery attempt in the event's trace (local/xray/hops.ts). */
  readonly tracing?: HopTracing;
}

/** Deliveries still owed, by event id and target: a bounded listing and the exact total. */
export interface PendingDeliveries {
  readonly total: number;
  /** At most the `limit` asked for. */
  readonly deliveries: ReadonlyArray<{ readonly eventId: string; readonly targetArn: string }>;
}

export interface PublishOptions {
  /** Epoch ms the event was first received (kept across bus hops and replays for age). */
  readonly ingestedAt: number;
  /** Only these rule ARNs (replay FilterArns). */
  readonly onlyRules?: ReadonlySet<string>;
  readonly hops?: number;
  /** The publisher's X-Ray trace header (PutEvents' TraceHeader); a new trace starts without one. */
  readonly traceHeader?: string;
}

export class DeliveryEngine {
  private readonly observers = new Set<EventBridgeObserver>();
  private readonly timers = new Set<Timer>();
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private closed = false;
  private readonly owed = new Map<string, JournaledDelivery>();
  private readonly instance = randomUUID();
  private deliveries = 0;

  /** Resumes (on the next turn) the deliveries the journal says the last process still owed. */
  constructor(private readonly o: EngineOptions) {
    for (const delivery of o.journal?.recovered ?? []) {
      this.owed.set(delivery.key, delivery);
      this.schedule(0, () => this.attempt(delivery));
    }
  }

  /** Deliveries still owed (first attempts in flight, retries waiting), at most `limit` listed. */
  pending(limit = 100_000): PendingDeliveries {
    const deliveries: { eventId: string; targetArn: string }[] = [];
    for (const d of this.owed.values()) {
      if (deliveries.length >= limit) break;
      deliveries.push({ eventId: d.ref.eventId, targetArn: d.ref.targetArn });
    }
    return { total: this.owed.size, deliveries };
  }

  onEvent(observer: EventBridgeObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  emit(observation: EventBridgeObservation): void {
    for (const observer of this.observers) {
      try {
        observer(observation);
      } catch {
        // An observer's failure must never break delivery.
      }
    }
  }

  /** Schedules work on the injected scheduler; tracked so close() can stop it. */
  schedule(delayMs: number, work: () => void): void {
    if (this.closed) return;
    this.begin();
    const timer: Timer = { done: false };
    this.timers.add(timer);
    timer.handle = this.o.scheduler.setTimeout(() => {
      if (timer.done) return;
      timer.done = true;
      this.timers.delete(timer);
      try {
        work();
      } finally {
        this.end();
      }
    }, delayMs);
  }

  begin(): void {
    this.inFlight += 1;
  }

  end(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    const timers = [...this.timers];
    this.timers.clear();
    for (const timer of timers) {
      if (timer.done) continue;
      timer.done = true;
      this.o.scheduler.clearTimeout(timer.handle);
      this.end();
    }
    // What is still owed stays in the journal: the next start resumes it.
    this.o.journal?.close();
  }

  /** A bus receives an event (PutEvents, another bus, or a replay). Throws if the bus is missing. */
  publish(busName: string, event: EventEnvelope, options: PublishOptions): void {
    this.o.store.requireBus(busName);
    const hops = options.hops ?? 0;
    // Flattened at most once, however many rules and archives look at the event.
    let flat: FlattenedEvent | undefined;
    const leaves = () => {
      flat ??= flattenEvent(event);
      return flat;
    };
    // Replayed events are never archived again; forwarded events are archived by each bus.
    if (event["replay-name"] === undefined)
      this.archive(busName, event, leaves, options.ingestedAt);
    const rules = this.o.store.rules.get(busName) ?? new Map<string, RuleRecord>();
    const traceHeader = this.traceAccepted(busName, event, options);
    const started: JournaledDelivery[] = [];
    for (const rule of rules.values()) {
      if (rule.state === "DISABLED" || !rule.compiled) continue;
      if (options.onlyRules && !options.onlyRules.has(rule.arn)) continue;
      if (!matchesFlattened(rule.compiled, leaves())) continue;
      this.emit({ type: "matched", busName, ruleName: rule.name, eventId: event.id });
      for (const target of rule.targets.values()) {
        const delivery = this.delivery(
          rule,
          structuredClone(target),
          event,
          options.ingestedAt,
          hops,
        );
        started.push(traceHeader ? { ...delivery, traceHeader } : delivery);
      }
    }
    // Durable before anything is attempted (and before PutEvents answers); throws if it cannot be.
    this.o.journal?.add(started);
    for (const delivery of started) {
      this.owed.set(delivery.key, delivery);
      this.attempt(delivery);
    }
  }

  /** The bus's span in the event's trace (a new trace for a first publish without a header). */
  private traceAccepted(busName: string, event: EventEnvelope, options: PublishOptions) {
    const tracing = this.o.tracing;
    if (!tracing) return options.traceHeader;
    const first = (options.hops ?? 0) === 0 && event["replay-name"] === undefined;
    const parent = options.traceHeader ?? (first ? tracing.rootHeader() : undefined);
    const span = tracing.span(parent, busName, "AWS::Events", {
      annotations: eventAnnotations(event["detail-type"], event.detail),
    });
    span.end();
    return span.header;
  }

  private archive(
    busName: string,
    event: EventEnvelope,
    leaves: () => FlattenedEvent,
    ingestedAt: number,
  ): void {
    let json: string | undefined;
    let sizeBytes = 0;
    for (const archive of this.o.store.archives.values()) {
      if (archive.busName !== busName || archive.state !== "ENABLED") continue;
      if (archive.compiled && !matchesFlattened(archive.compiled, leaves())) continue;
      if (json === undefined) {
        json = JSON.stringify(event);
        sizeBytes = Buffer.byteLength(json);
      }
      archive.events.push({ json, ingestedAt, sizeBytes });
      this.emit({ type: "archived", archiveName: archive.name, eventId: event.id });
    }
  }

  private delivery(
    rule: RuleRecord,
    target: TargetRecord,
    event: EventEnvelope,
    ingestedAt: number,
    hops: number,
  ): JournaledDelivery {
    this.deliveries += 1;
    const ref: DeliveryRef = {
      busName: rule.busName,
      ruleName: rule.name,
      ruleArn: rule.arn,
      targetId: target.Id,
      targetArn: target.Arn,
      eventId: event.id,
    };
    const key = `${this.instance}:${this.deliveries}`;
    return { key, ref, target, event, ingestedAt, hops, attempts: 0 };
  }

  /** Puts a delivered event on another bus (a bus target). */
  private forward(
    d: JournaledDelivery,
    busName: string,
    forwarded: EventEnvelope,
    traceHeader: string | undefined,
  ): void {
    if (d.hops + 1 > MAX_HOPS) {
      throw new DeliveryError(
        "LOOP_DETECTED",
        `Event ${forwarded.id} crossed ${MAX_HOPS} buses (the limit); dropped.`,
        { retryable: false },
      );
    }
    this.publish(busName, forwarded, {
      ingestedAt: d.ingestedAt,
      hops: d.hops + 1,
      ...(traceHeader ? { traceHeader } : {}),
    });
  }

  private attempt(d: JournaledDelivery): void {
    const n = d.attempts + 1;
    const span = this.o.tracing?.span(
      d.traceHeader,
      `${d.ref.ruleName} → ${d.ref.targetId}`,
      "AWS::Events::Rule",
      { annotations: { attempt: n } },
    );
    const traceHeader = span?.header ?? d.traceHeader;
    const ctx: RenderContext = {
      event: d.event,
      ruleArn: d.ref.ruleArn,
      ruleName: d.ref.ruleName,
      ingestedAt: d.ingestedAt,
      traceHeader,
    };
    const forward = (busName: string, event: EventEnvelope) =>
      this.forward(d, busName, event, traceHeader);
    this.begin();
    Promise.resolve()
      .then(() => dispatchOnce(this.o.dispatcher, forward, d.target, ctx))
      .then(
        () => {
          span?.end();
          this.settle(d);
          this.emit({ type: "delivered", attempts: n, ...d.ref });
        },
        (error: unknown) => {
          span?.end({ error: errorMessageOf(error) });
          this.onFailure(d, n, error);
        },
      )
      .finally(() => this.end());
  }

  /** The delivery is done (delivered, dead-lettered, or dropped): no longer owed. */
  private settle(d: JournaledDelivery): void {
    this.owed.delete(d.key);
    this.o.journal?.settle(d.key);
  }

  private onFailure(d: JournaledDelivery, attempts: number, error: unknown): void {
    // After close() the local cloud is shutting down: no retry, no dead-lettering (still owed).
    if (this.closed) return;
    const { target, ref, event, ingestedAt } = d;
    const maxRetries = target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_MAX_RETRIES;
    const maxAgeMs = (target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_S) * 1000;
    const message = errorMessageOf(error);
    const retryable = isRetriable(error);
    let exhaustedCondition: ExhaustedCondition | undefined;
    if (retryable) {
      const delayMs = equalJitterDelayMs(
        attempts,
        { baseDelayMs: this.o.retryBaseDelayMs, maxDelayMs: this.o.retryMaxDelayMs },
        this.o.random,
      );
      const tooOld = this.o.clock.now() + delayMs - ingestedAt > maxAgeMs;
      if (attempts - 1 < maxRetries && !tooOld) {
        this.emit({ type: "retrying", attempt: attempts + 1, delayMs, error: message, ...ref });
        d.attempts = attempts;
        try {
          this.o.journal?.add([d]);
        } catch {
          // Still retried from memory; only a restart before it succeeds would lose it.
        }
        this.schedule(delayMs, () => this.attempt(d));
        return;
      }
      exhaustedCondition =
        attempts - 1 >= maxRetries ? "MaximumRetryAttemptsExhausted" : "MaximumEventAgeExhausted";
    }
    this.emit({
      type: "failed",
      attempts,
      error: message,
      retryable,
      ...(exhaustedCondition ? { exhaustedCondition } : {}),
      ...ref,
    });
    const dlq = target.DeadLetterConfig?.Arn;
    if (!dlq) {
      this.settle(d);
      return;
    }
    const attribute = (value: string) => ({ DataType: "String" as const, StringValue: value });
    this.begin();
    this.o.dispatcher
      .sendToSqs(dlq, JSON.stringify(event), {
        messageAttributes: {
          ERROR_CODE: attribute(errorCodeOf(error)),
          ERROR_MESSAGE: attribute(message),
          ...(exhaustedCondition
            ? { EXHAUSTED_RETRY_CONDITION: attribute(exhaustedCondition) }
            : {}),
          RETRY_ATTEMPTS: attribute(String(attempts - 1)),
          RULE_ARN: attribute(ref.ruleArn),
          TARGET_ARN: attribute(ref.targetArn),
        },
      })
      .then(
        () => this.emit({ type: "dead-lettered", deadLetterArn: dlq, ...ref }),
        (dlqError: unknown) =>
          this.emit({
            type: "dead-letter-failed",
            deadLetterArn: dlq,
            error: errorMessageOf(dlqError),
            ...ref,
          }),
      )
      .finally(() => {
        this.settle(d);
        this.end();
      });
  }
}
