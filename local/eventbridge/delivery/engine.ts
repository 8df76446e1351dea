/**
 * Routes events received by a bus: archives capture them, enabled rules whose pattern
 * matches deliver them to every target, asynchronously, with the target's RetryPolicy
 * (exponential backoff with jitter on the injected scheduler) and, once retries or event
 * age are exhausted, its DeadLetterConfig (SQS, with AWS's message attributes). Errors that
 * retrying cannot fix (target missing, access denied, invalid parameter: see errors.ts) skip
 * the retries and go to the dead-letter queue at once, as AWS does.
 */
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
}

export interface PublishOptions {
  /** Epoch ms the event was first received (kept across bus hops and replays for age). */
  readonly ingestedAt: number;
  /** Only these rule ARNs (replay FilterArns). */
  readonly onlyRules?: ReadonlySet<string>;
  readonly hops?: number;
}

export class DeliveryEngine {
  private readonly observers = new Set<EventBridgeObserver>();
  private readonly timers = new Set<Timer>();
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly o: EngineOptions) {}

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
    for (const rule of rules.values()) {
      if (rule.state === "DISABLED" || !rule.compiled) continue;
      if (options.onlyRules && !options.onlyRules.has(rule.arn)) continue;
      if (!matchesFlattened(rule.compiled, leaves())) continue;
      this.emit({ type: "matched", busName, ruleName: rule.name, eventId: event.id });
      for (const target of rule.targets.values()) {
        this.startDelivery(rule, structuredClone(target), event, options.ingestedAt, hops);
      }
    }
  }

  private archive(
    busName: string,
    event: EventEnvelope,
    leaves: () => FlattenedEvent,
    ingestedAt: number,
  ): void {
    let size: number | undefined;
    for (const archive of this.o.store.archives.values()) {
      if (archive.busName !== busName || archive.state !== "ENABLED") continue;
      if (archive.compiled && !matchesFlattened(archive.compiled, leaves())) continue;
      size ??= Buffer.byteLength(JSON.stringify(event));
      const sizeBytes = size;
      archive.events.push({ event: structuredClone(event), ingestedAt, sizeBytes });
      this.emit({ type: "archived", archiveName: archive.name, eventId: event.id });
    }
  }

  private startDelivery(
    rule: RuleRecord,
    target: TargetRecord,
    event: EventEnvelope,
    ingestedAt: number,
    hops: number,
  ): void {
    const ref: DeliveryRef = {
      busName: rule.busName,
      ruleName: rule.name,
      ruleArn: rule.arn,
      targetId: target.Id,
      targetArn: target.Arn,
      eventId: event.id,
    };
    const ctx: RenderContext = { event, ruleArn: rule.arn, ruleName: rule.name, ingestedAt };
    const forward = (busName: string, forwarded: EventEnvelope): void => {
      if (hops + 1 > MAX_HOPS) {
        throw new DeliveryError(
          "LOOP_DETECTED",
          `Event ${forwarded.id} crossed ${MAX_HOPS} buses (the limit); dropped.`,
          { retryable: false },
        );
      }
      this.publish(busName, forwarded, { ingestedAt, hops: hops + 1 });
    };
    const attempt = (n: number): void => {
      this.begin();
      Promise.resolve()
        .then(() => dispatchOnce(this.o.dispatcher, forward, target, ctx))
        .then(
          () => this.emit({ type: "delivered", attempts: n, ...ref }),
          (error: unknown) => this.onFailure(target, ref, event, ingestedAt, n, error, attempt),
        )
        .finally(() => this.end());
    };
    attempt(1);
  }

  private backoff(retry: number): number {
    const exp = Math.min(this.o.retryMaxDelayMs, this.o.retryBaseDelayMs * 2 ** (retry - 1));
    return Math.round(exp / 2 + this.o.random() * (exp / 2));
  }

  private onFailure(
    target: TargetRecord,
    ref: DeliveryRef,
    event: EventEnvelope,
    ingestedAt: number,
    attempts: number,
    error: unknown,
    attempt: (n: number) => void,
  ): void {
    // After close() the local cloud is shutting down: no retry, no dead-lettering.
    if (this.closed) return;
    const maxRetries = target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_MAX_RETRIES;
    const maxAgeMs = (target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_S) * 1000;
    const message = errorMessageOf(error);
    const retryable = isRetriable(error);
    let exhaustedCondition: ExhaustedCondition | undefined;
    if (retryable) {
      const delayMs = this.backoff(attempts);
      const tooOld = this.o.clock.now() + delayMs - ingestedAt > maxAgeMs;
      if (attempts - 1 < maxRetries && !tooOld) {
        this.emit({ type: "retrying", attempt: attempts + 1, delayMs, error: message, ...ref });
        this.schedule(delayMs, () => attempt(attempts + 1));
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
    if (!dlq) return;
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
      .finally(() => this.end());
  }
}
