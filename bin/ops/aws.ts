/**
 * Where the operator commands point: the standard AWS configuration (AWS_ENDPOINT_URL and the
 * service-specific AWS_ENDPOINT_URL_<SERVICE>, AWS_PROFILE, AWS_REGION / AWS_DEFAULT_REGION),
 * overridden by --endpoint, --profile, --region. The environment is read through a zod schema
 * when a command runs, never at import.
 */
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SQSClient } from "@aws-sdk/client-sqs";
import { XRayClient } from "@aws-sdk/client-xray";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { OpsUsageError } from "./errors.ts";

const HttpUrl = z.url({ protocol: /^https?$/ });

const EnvSchema = z.object({
  AWS_ENDPOINT_URL: HttpUrl.optional(),
  AWS_ENDPOINT_URL_SQS: HttpUrl.optional(),
  AWS_ENDPOINT_URL_DYNAMODB: HttpUrl.optional(),
  AWS_ENDPOINT_URL_EVENTBRIDGE: HttpUrl.optional(),
  AWS_ENDPOINT_URL_CLOUDFORMATION: HttpUrl.optional(),
  AWS_ENDPOINT_URL_XRAY: HttpUrl.optional(),
  AWS_REGION: z.string().min(1).optional(),
  AWS_DEFAULT_REGION: z.string().min(1).optional(),
  AWS_PROFILE: z.string().min(1).optional(),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
});

export type Env = Readonly<Record<string, string | undefined>>;

/** The services the commands call, by their AWS_ENDPOINT_URL_<SERVICE> suffix. */
export type AwsService = "SQS" | "DYNAMODB" | "EVENTBRIDGE" | "CLOUDFORMATION" | "XRAY";

export interface AwsSettings {
  readonly endpoint?: string;
  /** Per-service endpoints (AWS_ENDPOINT_URL_<SERVICE>); --endpoint overrides them all. */
  readonly serviceEndpoints?: Partial<Record<AwsService, string>>;
  readonly region?: string;
  readonly profile?: string;
  /** Dummy keys when an endpoint is set and no credentials are configured (the local cloud). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** The empty string counts as unset (as the AWS SDK treats it). */
function present(env: Env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => typeof e[1] === "string" && !!e[1]),
  );
}

export function awsSettings(
  flags: { endpoint?: string; region?: string; profile?: string },
  env: Env,
): AwsSettings {
  const parsed = EnvSchema.safeParse(present(env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OpsUsageError(
      `environment variable ${String(issue?.path[0])} is invalid: ${issue?.message ?? "bad value"} (e.g. AWS_ENDPOINT_URL=http://127.0.0.1:4566)`,
    );
  }
  const e = parsed.data;
  if (flags.endpoint !== undefined && !HttpUrl.safeParse(flags.endpoint).success) {
    throw new OpsUsageError(
      `--endpoint must be a URL like http://127.0.0.1:4566, got ${JSON.stringify(flags.endpoint)}`,
    );
  }
  const endpoint = flags.endpoint ?? e.AWS_ENDPOINT_URL;
  const serviceEndpoints: Partial<Record<AwsService, string>> = {};
  if (flags.endpoint === undefined) {
    for (const service of ["SQS", "DYNAMODB", "EVENTBRIDGE", "CLOUDFORMATION", "XRAY"] as const) {
      const url = e[`AWS_ENDPOINT_URL_${service}`];
      if (url) serviceEndpoints[service] = url;
    }
  }
  const anyEndpoint = endpoint !== undefined || Object.keys(serviceEndpoints).length > 0;
  const profile = flags.profile ?? e.AWS_PROFILE;
  const region =
    flags.region ?? e.AWS_REGION ?? e.AWS_DEFAULT_REGION ?? (anyEndpoint ? "us-east-1" : undefined);
  const dummy = anyEndpoint && !e.AWS_ACCESS_KEY_ID && profile === undefined;
  return {
    ...(endpoint ? { endpoint } : {}),
    ...(Object.keys(serviceEndpoints).length ? { serviceEndpoints } : {}),
    ...(region ? { region } : {}),
    ...(profile ? { profile } : {}),
    ...(dummy ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {}),
  };
}

/** SDK clients built once per command run; `destroy()` closes their sockets. */
export class AwsClients {
  private cache: {
    sqs?: SQSClient;
    ddb?: DynamoDBClient;
    events?: EventBridgeClient;
    cfn?: CloudFormationClient;
    xray?: XRayClient;
  } = {};

  constructor(readonly settings: AwsSettings) {}

  /** The endpoint of one service: its own, else the global one, else AWS's. */
  endpointOf(service: AwsService): string | undefined {
    return this.settings.serviceEndpoints?.[service] ?? this.settings.endpoint;
  }

  private config(service: AwsService) {
    const s = this.settings;
    const endpoint = this.endpointOf(service);
    return {
      ...(endpoint ? { endpoint } : {}),
      ...(s.region ? { region: s.region } : {}),
      ...(s.profile ? { profile: s.profile } : {}),
      ...(s.credentials ? { credentials: { ...s.credentials } } : {}),
    };
  }

  get sqs(): SQSClient {
    this.cache.sqs ??= new SQSClient(this.config("SQS"));
    return this.cache.sqs;
  }

  get dynamodb(): DynamoDBClient {
    this.cache.ddb ??= new DynamoDBClient(this.config("DYNAMODB"));
    return this.cache.ddb;
  }

  get documents(): DynamoDBDocumentClient {
    return DynamoDBDocumentClient.from(this.dynamodb, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  get events(): EventBridgeClient {
    this.cache.events ??= new EventBridgeClient(this.config("EVENTBRIDGE"));
    return this.cache.events;
  }

  get cloudformation(): CloudFormationClient {
    this.cache.cfn ??= new CloudFormationClient(this.config("CLOUDFORMATION"));
    return this.cache.cfn;
  }

  get xray(): XRayClient {
    this.cache.xray ??= new XRayClient(this.config("XRAY"));
    return this.cache.xray;
  }

  /** Where the commands point (or one service points), for messages. */
  describe(service?: AwsService): string {
    const s = this.settings;
    const endpoint = service ? this.endpointOf(service) : s.endpoint;
    return `${endpoint ?? "AWS"}${s.region ? ` (${s.region})` : ""}`;
  }

  destroy(): void {
    this.cache.sqs?.destroy();
    this.cache.ddb?.destroy();
    this.cache.events?.destroy();
    this.cache.cfn?.destroy();
    this.cache.xray?.destroy();
    this.cache = {};
  }
}
