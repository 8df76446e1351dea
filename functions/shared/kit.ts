/**
 * The handler kit: turns a record handler into an SQS Lambda handler with Powertools logging
 * (correlation id), tracing (one subsegment per record), EMF metrics, partial batch responses
 * (standard and FIFO), backoff, and failure records. A service's handler.ts is one expression:
 * `export const handler = cityHandler("traffic", runtime)`.
 */
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { BackoffPolicy, VisibilityPort } from "./backoff.ts";
import { type BatchCommit, type FailureLog, processSqsBatch, type RecordHandler } from "./batch.ts";
import type { Clock } from "./clock.ts";
import type { DeadLetterPort } from "./dead-letter.ts";
import { messageOf } from "./errors.ts";
import { BatchMetrics, type CityTracer, loadTracing, observability } from "./observability.ts";

/** What a service plugs into the kit (built once per container, at first invocation). */
export interface ServiceRuntime {
  readonly handleRecord: RecordHandler;
  readonly clock: Clock;
  readonly visibility?: VisibilityPort;
  readonly failureLog?: FailureLog;
  /** Where invalid records go (their queue's DLQ), acknowledged instead of retried. */
  readonly deadLetters?: DeadLetterPort;
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
  /** Called with the invocation's context before the batch (e.g. idempotency's lock bound). */
  readonly registerLambdaContext?: (context: Context) => void;
  /**
   * Called after the records were handled, before answering: writes what the batch buffered.
   * Returns the records whose part failed; if it throws, every handled record fails.
   */
  readonly commitBatch?: BatchCommit;
  /** Called after the batch, whatever its outcome (e.g. flush aggregates). */
  readonly afterBatch?: (metrics: BatchMetrics) => Promise<void>;
}

export type SqsHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/** Memoises an async factory; a failed build is retried at the next call. */
export function lazy<T>(build: () => Promise<T> | T): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= Promise.resolve()
      .then(build)
      .catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
    return pending;
  };
}

/**
 * The SQS Lambda handler of a service over its runtime (built at the first invocation).
 *
 * @example
 * // functions/media/handler.ts: the whole file but its imports
 * export const handler = cityHandler("media", lazy(buildRuntime));
 */
export function cityHandler(service: string, runtime: () => Promise<ServiceRuntime>): SqsHandler {
  return async (event, context) => {
    await loadTracing(); // before the first observability(): the tracer exists only if tracing is on
    const o = observability(service);
    if (context) o.logger.addContext(context);
    return inHandlerSubsegment(o.tracer, () => runBatch(event, context, o, runtime));
  };
}

/** One invocation's batch over the service's runtime (the handler's body). */
async function runBatch(
  event: SQSEvent,
  context: Context | undefined,
  o: ReturnType<typeof observability>,
  runtime: () => Promise<ServiceRuntime>,
): Promise<SQSBatchResponse> {
  const { logger, tracer, metrics, priorityMetrics } = o;
  let rt: ServiceRuntime;
  try {
    rt = await runtime();
  } catch (error) {
    // Nothing was processed: the whole batch returns to the queue (and, repeated, to the DLQ).
    logger.error("service runtime could not be built", { error: messageOf(error) });
    throw error;
  }
  if (context) rt.registerLambdaContext?.(context);
  const batchMetrics = new BatchMetrics();
  try {
    const { response } = await processSqsBatch(
      event,
      context,
      rt.handleRecord,
      {
        logger,
        tracer,
        metrics: batchMetrics,
        clock: rt.clock,
        ...(rt.visibility ? { visibility: rt.visibility } : {}),
        ...(rt.failureLog ? { failureLog: rt.failureLog } : {}),
        ...(rt.deadLetters ? { deadLetters: rt.deadLetters } : {}),
        ...(rt.backoff ? { backoff: rt.backoff } : {}),
        ...(rt.random ? { random: rt.random } : {}),
      },
      rt.commitBatch,
    );
    return response;
  } finally {
    try {
      await rt.afterBatch?.(batchMetrics);
    } catch (error) {
      logger.error("afterBatch failed", { error: messageOf(error) });
    }
    batchMetrics.flush(metrics, priorityMetrics);
  }
}

/**
 * Runs an invocation in a `## handler` subsegment, as Powertools' captureLambdaHandler does:
 * Lambda's own (facade) segment cannot be annotated, so the cold-start and service annotations go
 * on the subsegment, and the records' subsegments nest under it. An unsampled invocation
 * (`Sampled=0`) creates nothing: X-Ray would record none of it.
 */
async function inHandlerSubsegment<T>(tracer: CityTracer, run: () => Promise<T>): Promise<T> {
  const facade = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  if (!facade || facade.notTraced === true) return run();
  const subsegment = facade.addNewSubsegment("## handler");
  tracer.setSegment(subsegment);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  try {
    return await run();
  } catch (error) {
    subsegment.addError(error instanceof Error ? error : new Error(String(error)));
    throw error;
  } finally {
    subsegment.close();
    tracer.setSegment(facade);
  }
}
