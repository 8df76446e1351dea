/**
 * A schedule that invokes a consumer function with an empty batch (`{"Records": []}`), so work
 * the function holds for a bounded time (traffic gaps, rate-limited media posts, analytics
 * windows) is swept even when no event arrives. Declared per function in the topology
 * (`sweepEveryMinutes`).
 */
import { Duration } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import { pinLogicalId } from "./queues.ts";
import { requireInteger } from "./validate.ts";

export interface SweepScheduleProps {
  /** The function to invoke. */
  readonly function: lambda.IFunction;
  /** Minutes between invocations, 1..1440. */
  readonly everyMinutes: number;
}

export class SweepSchedule extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: SweepScheduleProps) {
    super(scope, id);
    const minutes = requireInteger(this, "everyMinutes", props.everyMinutes, 1, 1440);
    // Schedules live on the account's default bus; an empty batch is a no-op for the kit apart
    // from the sweep. A missed sweep is harmless (the next one does the work), so no DLQ.
    this.rule = new events.Rule(this, "Rule", {
      description: `Sweep held work every ${minutes} min`,
      schedule: events.Schedule.rate(Duration.minutes(minutes)),
      targets: [
        new targets.LambdaFunction(props.function, {
          event: events.RuleTargetInput.fromObject({ Records: [] }),
          retryAttempts: 0,
          maxEventAge: Duration.minutes(minutes),
        }),
      ],
    });
    pinLogicalId(this.rule, `${id}Rule`);
  }
}
