/**
 * A consumer Lambda for one topology function: NodejsFunction bundled by the local esbuild (no
 * Docker) as an ESM `.mjs` with a createRequire banner, ARM64, Node 24, X-Ray tracing active,
 * the Powertools environment, an explicit log group with retention, optionally reserved
 * concurrency, and a role whose every permission comes from a grant — except X-Ray's, which sit
 * in a policy of their own. `consume()` attaches an SQS event source per subscription.
 */
import * as path from "node:path";
import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { CONSUMER_BUNDLE_OPTIONS } from "../bundling.ts";
import { RESERVED_CONCURRENCY_MAX } from "../concurrency.ts";
import { ids } from "../resources.ts";
import type { FunctionSpec } from "../topology.ts";
import type { CitySubscription } from "./city-subscription.ts";
import { pinLogicalId } from "./queues.ts";
import { invalid, requireInteger, requireOneOf } from "./validate.ts";

export { ESM_REQUIRE_BANNER } from "../bundling.ts";
export const METRICS_NAMESPACE = "BuzzVille";
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;
export const LAMBDA_ARCHITECTURE = lambda.Architecture.ARM_64;
export const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/**
 * What active tracing needs: the X-Ray telemetry calls, which take no resource-level permissions
 * (AWS documents `Resource: *` for them). The same two actions CDK grants for `tracing: ACTIVE`.
 */
export const XRAY_TELEMETRY_ACTIONS = [
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
] as const;

/**
 * The esbuild options every consumer is bundled with (exported for tests and docs): the shared
 * CONSUMER_BUNDLE_OPTIONS (infra/bundling.ts), which the local Lambda runner builds with too.
 */
export function bundlingOptions(): nodejs.BundlingOptions {
  const o = CONSUMER_BUNDLE_OPTIONS;
  return {
    format: o.format === "esm" ? nodejs.OutputFormat.ESM : nodejs.OutputFormat.CJS,
    banner: o.banner.js,
    mainFields: [...o.mainFields],
    target: o.target,
    minify: o.minify,
    keepNames: o.keepNames,
    sourceMap: o.sourcemap,
    sourcesContent: o.sourcesContent,
    externalModules: [...o.external],
    // esbuild's `alias` option, which NodejsFunction has no property for.
    esbuildArgs: Object.fromEntries(
      Object.entries(o.alias).map(([from, to]) => [`--alias:${from}`, to]),
    ),
    forceDockerBundling: false,
  };
}

/** Stand-in code for fast synths (tests): never deployed, acknowledges every record. */
const STUB_CODE = "exports.handler = async () => ({ batchItemFailures: [] });";

export interface ConsumerFunctionProps {
  readonly spec: FunctionSpec;
  /** Resource environment variables (RESOURCE_ENV names -> names/ARNs). */
  readonly resourceEnvironment: Readonly<Record<string, string>>;
  /** Repository root; `spec.entry` is relative to it. */
  readonly projectRoot: string;
  /**
   * Bundle the handler with esbuild. `false` uses a stub inline handler (fast synth for tests;
   * never deploy it).
   * @default true
   */
  readonly bundle?: boolean;
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * POWERTOOLS_LOG_LEVEL.
   * @default "INFO"
   */
  readonly logLevel?: LogLevel;
  /**
   * Removal policy of the log group.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Reserved concurrency (0..10000): guaranteed to this function and its cap. 0 = unreserved.
   * @default 0
   */
  readonly reservedConcurrentExecutions?: number;
}

export class ConsumerFunction extends Construct {
  readonly spec: FunctionSpec;
  readonly function: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
  /** The X-Ray telemetry permissions (the role's only `Resource: *` statement). */
  readonly tracingPolicy: iam.Policy;
  private readonly consumed: CitySubscription[] = [];

  constructor(scope: Construct, id: string, props: ConsumerFunctionProps) {
    super(scope, id);
    const spec = props.spec;
    this.spec = spec;
    requireInteger(this, "spec.timeoutSeconds", spec.timeoutSeconds, 1, 900);
    requireInteger(this, "spec.memoryMb", spec.memoryMb, 128, 10_240);
    const logLevel = requireOneOf(this, "logLevel", props.logLevel ?? "INFO", LOG_LEVELS);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    const reserved = requireInteger(
      this,
      "reservedConcurrentExecutions",
      props.reservedConcurrentExecutions ?? 0,
      0,
      RESERVED_CONCURRENCY_MAX,
    );

    this.logGroup = new logs.LogGroup(this, "LogGroup", {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy,
    });
    pinLogicalId(this.logGroup, ids.logGroup(spec));

    // A role without managed policies: logs and queues are added by grants (its default policy).
    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `Buzz Ville ${spec.service} consumer`,
    });
    this.logGroup.grantWrite(this.role);
    // X-Ray's `Resource: *` lives in a policy of its own, so the cdk-nag acknowledgement below
    // covers exactly these two actions: any other wildcard grant on the role still fails synth.
    this.tracingPolicy = new iam.Policy(this, "TracingPolicy", {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({ actions: [...XRAY_TELEMETRY_ACTIONS], resources: ["*"] }),
      ],
    });
    Validations.of(this.tracingPolicy).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) do not support resource-level permissions; AWS documents Resource * for them. This policy holds nothing else.",
    });

    this.function = new nodejs.NodejsFunction(this, "Function", {
      ...(props.bundle === false
        ? { code: lambda.Code.fromInline(STUB_CODE), handler: "index.handler" }
        : {
            entry: path.resolve(props.projectRoot, spec.entry),
            handler: "handler",
            projectRoot: props.projectRoot,
            depsLockFilePath: path.resolve(props.projectRoot, "package-lock.json"),
            bundling: bundlingOptions(),
          }),
      description: `Buzz Ville ${spec.service} consumer (${spec.entry})`,
      runtime: LAMBDA_RUNTIME,
      architecture: LAMBDA_ARCHITECTURE,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      // Tracing is switched on below: the `tracing` prop would put X-Ray's grant into the
      // role's default policy, next to every other grant.
      ...(reserved > 0 ? { reservedConcurrentExecutions: reserved } : {}),
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: spec.service,
        POWERTOOLS_LOG_LEVEL: logLevel,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        NODE_OPTIONS: "--enable-source-maps",
        ...props.resourceEnvironment,
      },
    });
    pinLogicalId(this.function, ids.function(spec));
    (this.function.node.defaultChild as lambda.CfnFunction).tracingConfig = {
      mode: lambda.Tracing.ACTIVE,
    };
    // The function starts tracing only once it may send traces.
    this.function.node.addDependency(this.tracingPolicy);
  }

  /** Attaches an SQS event source for `sub` (batch settings from the topology). */
  consume(sub: CitySubscription): void {
    const spec = sub.spec;
    const field = `subscription ${spec.id}`;
    const fifo = spec.ordering !== undefined;
    const batchSize = requireInteger(
      this,
      `${field}.batchSize`,
      spec.batchSize,
      1,
      fifo ? 10 : 10_000,
    );
    const window = requireInteger(
      this,
      `${field}.maxBatchingWindowSeconds`,
      spec.maxBatchingWindowSeconds,
      0,
      fifo ? 0 : 300,
    );
    if (batchSize > 10 && window === 0) {
      invalid(
        this,
        `${field}.batchSize`,
        `a batch size over 10 (got ${batchSize}) needs a batching window of at least 1 s (got 0)`,
      );
    }
    const maxConcurrency = requireInteger(
      this,
      `${field}.maxConcurrency`,
      spec.maxConcurrency,
      2,
      1000,
    );

    const before = new Set(this.function.node.children);
    this.function.addEventSource(
      new SqsEventSource(sub.queue, {
        batchSize,
        // FIFO event sources take no batching window at all (not even 0).
        ...(fifo ? {} : { maxBatchingWindow: Duration.seconds(window) }),
        maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    const mapping = this.function.node.children.find(
      (c) => !before.has(c) && c instanceof lambda.EventSourceMapping,
    );
    if (mapping) pinLogicalId(mapping, ids.eventSource(spec));
    // A record that can never succeed (it fails validation) goes straight to the queue's DLQ
    // with its reason, so it does not hold up its FIFO group for three receives.
    sub.queue.deadLetterQueue?.queue.grantSendMessages(this.function);
    this.consumed.push(sub);
  }

  /** The subscriptions this function consumes. */
  get subscriptions(): readonly CitySubscription[] {
    return this.consumed;
  }
}
