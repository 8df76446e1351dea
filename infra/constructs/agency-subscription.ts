/**
 * For a city agency's OWN CDK app: receive chosen city events in the agency's account. Creates a
 * rule on the city bus (by ARN; the city grants the agency account rule management on its bus,
 * see `agencyAccountIds`) that targets the agency's event bus or SQS queue, with a retry policy
 * (queue targets) and a dead-letter queue, so an undeliverable event is never silently dropped.
 *
 * @example
 * new AgencySubscription(this, "FireAlerts", {
 *   cityBusArn: "arn:aws:events:eu-west-1:111111111111:event-bus/BuzzVilleCityBus",
 *   eventPattern: { source: ["buzzville.fire-sensor"], "detail-type": ["FireAlarmRaised"] },
 *   targetQueue: myQueue,
 * });
 */
import { Arn, ArnFormat, Duration, Token } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { quote } from "../errors.ts";
import { TargetDeadLetterQueue } from "./queues.ts";
import { invalid, requireEventPattern, requireInteger } from "./validate.ts";

export interface AgencySubscriptionProps {
  /** ARN of the city's event bus, e.g. `arn:aws:events:eu-west-1:111111111111:event-bus/CityBus`. */
  readonly cityBusArn: string;
  /** EventBridge pattern selecting the city events the agency wants (non-empty). */
  readonly eventPattern: Readonly<Record<string, unknown>>;
  /**
   * The agency's event bus to deliver to. Exactly one of `targetBus` / `targetQueue`.
   * @default - none
   */
  readonly targetBus?: events.IEventBus;
  /**
   * The agency's SQS queue to deliver to. Exactly one of `targetBus` / `targetQueue`.
   * @default - none
   */
  readonly targetQueue?: sqs.IQueue;
  /**
   * Description of the rule.
   * @default - "Agency subscription to Buzz Ville city events"
   */
  readonly description?: string;
  /**
   * EventBridge retry attempts for a failed delivery (0..185). Queue targets only: EventBridge
   * does not accept a retry policy on event-bus targets (they use its default, 185 attempts / 24 h).
   * @default 8
   */
  readonly retryAttempts?: number;
  /**
   * How long EventBridge keeps retrying an event (60 s .. 24 h). Queue targets only.
   * @default Duration.hours(1)
   */
  readonly maxEventAge?: Duration;
  /**
   * Where undeliverable events go.
   * @default - a new SQS-encrypted, TLS-only queue keeping messages 14 days
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

export class AgencySubscription extends Construct {
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.IQueue;
  /** The role EventBridge assumes to put events on the agency bus (bus targets only). */
  readonly role?: iam.Role;

  constructor(scope: Construct, id: string, props: AgencySubscriptionProps) {
    super(scope, id);
    validateBusArn(this, props.cityBusArn);
    requireEventPattern(this, "eventPattern", props.eventPattern);
    if ((props.targetBus === undefined) === (props.targetQueue === undefined)) {
      invalid(
        this,
        "targetBus/targetQueue",
        `exactly one of targetBus or targetQueue must be set, got ${props.targetBus ? "both" : "neither"}`,
      );
    }
    if (props.targetBus && (props.retryAttempts !== undefined || props.maxEventAge !== undefined)) {
      invalid(
        this,
        "retryAttempts/maxEventAge",
        `EventBridge takes no retry policy on an event-bus target (it retries 24 h / 185 times); set them only with targetQueue, got retryAttempts=${quote(props.retryAttempts)} maxEventAge=${quote(props.maxEventAge?.toSeconds())}s`,
      );
    }
    const retryAttempts = requireInteger(this, "retryAttempts", props.retryAttempts ?? 8, 0, 185);
    const maxEventAge = props.maxEventAge ?? Duration.hours(1);
    if (!Token.isUnresolved(maxEventAge.toSeconds())) {
      requireInteger(this, "maxEventAge (seconds)", maxEventAge.toSeconds(), 60, 86_400);
    }

    this.deadLetterQueue =
      props.deadLetterQueue ??
      new TargetDeadLetterQueue(this, "DeadLetterQueue", { visibilityTimeoutSeconds: 30 }).queue;

    this.rule = new events.Rule(this, "Rule", {
      eventBus: events.EventBus.fromEventBusArn(this, "CityBus", props.cityBusArn),
      description: props.description ?? "Agency subscription to Buzz Ville city events",
      // why: EventBridge JSON patterns (prefix, anything-but, exists...) pass through unchanged.
      eventPattern: props.eventPattern as events.EventPattern,
    });
    // The rule must live on the CITY's bus: CloudFormation needs the ARN there (a bare name would
    // mean a bus of that name in the agency's own account).
    (this.rule.node.defaultChild as events.CfnRule).eventBusName = props.cityBusArn;

    if (props.targetBus) {
      this.role = new iam.Role(this, "DeliveryRole", {
        assumedBy: new iam.ServicePrincipal("events.amazonaws.com"),
        description: "EventBridge: deliver city events to the agency bus",
      });
      this.rule.addTarget(
        new targets.EventBus(props.targetBus, {
          deadLetterQueue: this.deadLetterQueue,
          role: this.role,
        }),
      );
    } else if (props.targetQueue) {
      this.rule.addTarget(
        new targets.SqsQueue(props.targetQueue, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts,
          maxEventAge,
        }),
      );
    }
  }
}

function validateBusArn(scope: Construct, arn: string): void {
  if (Token.isUnresolved(arn)) return;
  let ok = false;
  try {
    const parts = Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME);
    ok = parts.service === "events" && parts.resource === "event-bus" && !!parts.resourceName;
  } catch {
    ok = false;
  }
  if (!ok) {
    invalid(
      scope,
      "cityBusArn",
      `must be an event bus ARN like "arn:aws:events:eu-west-1:111111111111:event-bus/CityBus", got ${quote(arn)}`,
    );
  }
}
