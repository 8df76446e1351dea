/**
 * The city API (docs/API.md): an API Gateway HTTP API whose `GET /api/{proxy+}` routes go to one
 * read-only Lambda (functions/api/handler.ts). IAM-authorized (agencies sign with SigV4),
 * throttled on the `$default` stage, access-logged to a log group with retention. The function
 * follows the consumers' conventions (consumer-function.ts): local esbuild ESM bundle, ARM64,
 * Node 24, active X-Ray tracing in a policy of its own, explicit log group, grants only — here
 * read-only ones on the events and read-models tables.
 */
import * as path from "node:path";
import { Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import * as apigw from "aws-cdk-lib/aws-apigatewayv2";
import { HttpIamAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { RESOURCE_ENV } from "../topology.ts";
import {
  bundlingOptions,
  LAMBDA_ARCHITECTURE,
  LAMBDA_RUNTIME,
  LOG_LEVELS,
  type LogLevel,
  METRICS_NAMESPACE,
  XRAY_TELEMETRY_ACTIONS,
} from "./consumer-function.ts";
import { pinLogicalId } from "./queues.ts";
import { requireNumber, requireOneOf } from "./validate.ts";

/** Logical ids of the API's resources (pinned: stable across refactors). */
export const CITY_API_IDS = {
  function: "CityApiFunction",
  logGroup: "CityApiLogGroup",
  accessLogs: "CityApiAccessLogs",
  api: "CityApi",
  stage: "CityApiDefaultStage",
} as const;

/** The handler module, relative to the repository root. */
export const CITY_API_ENTRY = "functions/api/handler.ts";
/** Every table action the API's reads need (EventStore reads, DocumentStore.get). */
export const CITY_API_TABLE_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:BatchGetItem",
  "dynamodb:Query",
  "dynamodb:DescribeTable",
] as const;

/** Stand-in code for fast synths (tests): never deployed. */
const STUB_CODE = "exports.handler = async () => ({ statusCode: 503, body: 'stub' });";

export interface CityApiProps {
  readonly eventsTable: dynamodb.ITable;
  readonly readModelsTable: dynamodb.ITable;
  /** Repository root; the handler entry is relative to it. */
  readonly projectRoot: string;
  /**
   * Bundle the handler with esbuild; `false` uses stub code (fast synth for tests; never deploy).
   * @default true
   */
  readonly bundle?: boolean;
  /**
   * Steady-state requests per second of the stage's default route.
   * @default 50
   */
  readonly throttleRateLimit?: number;
  /**
   * Burst of the stage's default route.
   * @default 100
   */
  readonly throttleBurstLimit?: number;
  /**
   * Retention of the function's and the access log groups.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Removal policy of the log groups.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * POWERTOOLS_LOG_LEVEL.
   * @default "INFO"
   */
  readonly logLevel?: LogLevel;
}

export class CityApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: CityApiProps) {
    super(scope, id);
    const rateLimit = requireNumber(
      this,
      "throttleRateLimit",
      props.throttleRateLimit ?? 50,
      1,
      10_000,
    );
    const burstLimit = requireNumber(
      this,
      "throttleBurstLimit",
      props.throttleBurstLimit ?? 100,
      1,
      5_000,
    );
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: "Buzz Ville city API (read-only)",
    });
    this.function = this.apiFunction(props, removalPolicy, retention);
    for (const table of [props.eventsTable, props.readModelsTable]) {
      table.grant(this.function, ...CITY_API_TABLE_ACTIONS);
    }
    Validations.of(this.role).acknowledge({
      id: "AwsSolutions-IAM5[Resource::<EventsTable.Arn>/index/*]",
      reason:
        "Timelines and live zone views read the event store by time bucket, a query of the events table's GSI; the grant covers this table's own indexes only, read-only.",
    });

    this.accessLogs = new logs.LogGroup(this, "AccessLogs", { retention, removalPolicy });
    pinLogicalId(this.accessLogs, CITY_API_IDS.accessLogs);
    this.api = new apigw.HttpApi(this, "Api", {
      apiName: `${Stack.of(this).stackName}-city-api`,
      description: "Buzz Ville city API: zones, intersections, streams, timelines (read-only)",
      createDefaultStage: false,
    });
    pinLogicalId(this.api, CITY_API_IDS.api);
    this.stage = new apigw.HttpStage(this, "DefaultStage", {
      httpApi: this.api,
      stageName: "$default",
      autoDeploy: true,
      throttle: { rateLimit, burstLimit },
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(this.accessLogs) },
    });
    pinLogicalId(this.stage, CITY_API_IDS.stage);
    this.api.addRoutes({
      path: "/api/{proxy+}",
      methods: [apigw.HttpMethod.GET],
      integration: new HttpLambdaIntegration("Handler", this.function),
      authorizer: new HttpIamAuthorizer(),
    });
  }

  /** The API's base URL (the stage's invoke URL; routes are under /api/). */
  get url(): string {
    return this.stage.url;
  }

  private apiFunction(
    props: CityApiProps,
    removalPolicy: RemovalPolicy,
    retention: logs.RetentionDays,
  ): nodejs.NodejsFunction {
    const logLevel = requireOneOf(this, "logLevel", props.logLevel ?? "INFO", LOG_LEVELS);
    const logGroup = new logs.LogGroup(this, "LogGroup", { retention, removalPolicy });
    pinLogicalId(logGroup, CITY_API_IDS.logGroup);
    logGroup.grantWrite(this.role);
    const tracing = new iam.Policy(this, "TracingPolicy", {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({ actions: [...XRAY_TELEMETRY_ACTIONS], resources: ["*"] }),
      ],
    });
    Validations.of(tracing).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) do not support resource-level permissions; AWS documents Resource * for them. This policy holds nothing else.",
    });
    const fn = new nodejs.NodejsFunction(this, "Function", {
      ...(props.bundle === false
        ? { code: lambda.Code.fromInline(STUB_CODE), handler: "index.handler" }
        : {
            entry: path.resolve(props.projectRoot, CITY_API_ENTRY),
            handler: "handler",
            projectRoot: props.projectRoot,
            depsLockFilePath: path.resolve(props.projectRoot, "package-lock.json"),
            bundling: bundlingOptions(),
          }),
      description: `Buzz Ville city API (${CITY_API_ENTRY})`,
      runtime: LAMBDA_RUNTIME,
      architecture: LAMBDA_ARCHITECTURE,
      memorySize: 512,
      timeout: Duration.seconds(10),
      role: this.role,
      logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: "api",
        POWERTOOLS_LOG_LEVEL: logLevel,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        NODE_OPTIONS: "--enable-source-maps",
        [RESOURCE_ENV.eventsTable]: props.eventsTable.tableName,
        [RESOURCE_ENV.readModelsTable]: props.readModelsTable.tableName,
      },
    });
    pinLogicalId(fn, CITY_API_IDS.function);
    (fn.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: lambda.Tracing.ACTIVE };
    fn.node.addDependency(tracing);
    return fn;
  }
}
