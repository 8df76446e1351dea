import { CityEventError } from "./errors.ts";

/**
 * ARNs, parsed once: `arn:<partition>:<service>:<region>:<account>:<resource>`, and what the city
 * derives from them (a queue's name and URL, a resource's name after its type). Dependency-free:
 * the Lambda bundles (functions/), the local cloud (local/) and the operator CLI (bin/) all use it.
 */

/** The parts of an ARN. `region` and `account` may be empty (IAM, S3); `resource` may hold `:`. */
export interface Arn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

/** A value is not an ARN of the form expected; names the value and the form. */
export class InvalidArnError extends CityEventError {
  readonly value: string;
  readonly expected: string;

  constructor(value: string, expected: string, what = "an ARN") {
    super(`${JSON.stringify(value)} is not ${what} (expected ${expected})`);
    this.name = "InvalidArnError";
    this.value = value;
    this.expected = expected;
  }
}

const ARN_FORM = "arn:<partition>:<service>:<region>:<12-digit account>:<resource>";
const ARN = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12})?:(.+)$/;

/** The parts of `value`, or undefined when it is not an ARN. */
export function tryParseArn(value: string): Arn | undefined {
  const m = ARN.exec(value);
  if (!m) return undefined;
  const [, partition = "", service = "", region = "", account = "", resource = ""] = m;
  return { partition, service, region, account, resource };
}

/** The parts of `value`; an InvalidArnError naming the value and the form otherwise. */
export function parseArn(value: string): Arn {
  const arn = tryParseArn(value);
  if (!arn) throw new InvalidArnError(value, ARN_FORM);
  return arn;
}

/** The ARN of the parts (`parseArn`'s inverse). */
export function formatArn(arn: Arn): string {
  return `arn:${arn.partition}:${arn.service}:${arn.region}:${arn.account}:${arn.resource}`;
}

/**
 * The name after `<type>/` or `<type>:` in an ARN's resource (`event-bus/city` → `city`,
 * `function:ingest` → `ingest`), or undefined when `value` is not an ARN of that resource type.
 */
export function arnResourceName(value: string, type: string): string | undefined {
  const resource = tryParseArn(value)?.resource;
  if (resource === undefined || resource.length <= type.length + 1) return undefined;
  const separator = resource[type.length];
  return resource.startsWith(type) && (separator === "/" || separator === ":")
    ? resource.slice(type.length + 1)
    : undefined;
}

/** An SQS queue named by its ARN. */
export interface QueueArn {
  readonly region: string;
  readonly account: string;
  readonly name: string;
}

const QUEUE_ARN_FORM = "arn:aws:sqs:<region>:<12-digit account>:<queue name>";
const QUEUE_NAME = /^[\w-]{1,80}(\.fifo)?$/;

/** `arn:aws:sqs:<region>:<account>:<name>` → its parts; an InvalidArnError otherwise. */
export function parseQueueArn(value: string): QueueArn {
  const arn = tryParseArn(value);
  if (arn?.service !== "sqs" || arn.account === "" || !QUEUE_NAME.test(arn.resource)) {
    throw new InvalidArnError(value, QUEUE_ARN_FORM, "an SQS queue ARN");
  }
  return { region: arn.region, account: arn.account, name: arn.resource };
}

/** The queue name of an SQS queue ARN; the value itself when it is not one (for display). */
export function queueNameOf(value: string): string {
  const arn = tryParseArn(value);
  return arn?.service === "sqs" ? arn.resource : value;
}

/** `arn:aws:sqs:us-east-1:000000000000:name` → `<endpoint>/000000000000/name`. */
export function queueUrlOfArn(endpoint: string, queueArn: string): string {
  const { account, name } = parseQueueArn(queueArn);
  return `${endpoint}/${account}/${name}`;
}
