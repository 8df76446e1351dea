/**
 * The contract of a local Lambda function (local/lambda/host.ts): how it is configured, how it is
 * invoked (trace, reservation) and what an invocation comes to.
 */
import type { BundleCache } from "../bundles.ts";
import type { HopTracing } from "../xray/hops.ts";

export class LambdaRunnerError extends Error {
  override readonly name: string = "LambdaRunnerError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export type InvokeOutcome =
  | { readonly kind: "ok"; readonly result: unknown }
  | { readonly kind: "error"; readonly error: string }
  | { readonly kind: "timeout" }
  | { readonly kind: "crash"; readonly error: string };

export interface FunctionHostOptions {
  /** Function name, e.g. `buzzville-local-EventStore`. */
  readonly name: string;
  /** Handler source entry (absolute, or relative to `rootDir`), bundled as the CDK app bundles it. */
  readonly entry: string;
  readonly exportName?: string;
  readonly rootDir?: string;
  readonly timeoutMs: number;
  readonly memoryMb: number;
  /** The function's environment (nothing of the host process leaks in except PATH/HOME/TZ). */
  readonly env: Readonly<Record<string, string>>;
  /** Execution environments kept at most. @default 2 */
  readonly maxInstances?: number;
  /**
   * Environments `warm()` starts ahead of traffic (like provisioned concurrency), at most
   * `maxInstances`. @default 1
   */
  readonly minInstances?: number;
  /**
   * Where the bundle is built or found (share one per run: each entry is bundled once).
   * @default a cache of its own on `rootDir`
   */
  readonly bundles?: BundleCache;
  readonly region: string;
  /** Each line the function writes to stderr, and to stdout when `logStdout`. */
  readonly onLog?: (line: string) => void;
  /**
   * Split stdout into lines for `onLog` too. Off, stdout (EMF metric lines, info logs) is drained
   * unread — it must be read, or it would buffer — and only stderr (warnings, errors) is parsed.
   * @default true
   */
  readonly logStdout?: boolean;
  /**
   * Lambda's segments of each invocation (AWS::Lambda, AWS::Lambda::Function) in its trace, and
   * the `_X_AMZN_TRACE_ID` the function runs with (local/xray/hops.ts). @default none
   */
  readonly tracing?: HopTracing;
}

export interface InvokeOptions {
  /** The trace the invocation continues (an SQS record's AWSTraceHeader); a new one without. */
  readonly traceHeader?: string | undefined;
  /** The other records' trace headers: their traces link to this invocation. */
  readonly links?: readonly string[];
  /** The environment a poller reserved before it received the batch (any free one without). */
  readonly reservation?: Reservation | undefined;
}

/**
 * An environment held by an event source mapping's poller while it collects a batch, as Lambda's
 * pollers only receive messages when the function has concurrency for them: a batch never waits
 * in flight for an environment (its visibility timeout running). Pass it to `invoke`, or give it
 * back with `cancel` when nothing was received.
 */
export interface Reservation {
  /**
   * Aborted when an invocation without a reservation (a sweep, an EventBridge target) waits for
   * an environment: the poller should end its long poll and give the environment back.
   */
  readonly signal: AbortSignal;
}
