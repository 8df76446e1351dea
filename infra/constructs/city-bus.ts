/**
 * The city's custom EventBridge bus, its archive (for replay) and a resource policy that lets
 * configured agency accounts manage their own rules on it (never anyone else's).
 */
import { Duration, Stack } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import { SHARED_IDS } from "../resources.ts";
import { pinLogicalId } from "./queues.ts";
import { requireAccountId, requireInteger } from "./validate.ts";

/** What an agency account may do on the city bus, on rules it created itself. */
export const AGENCY_RULE_ACTIONS = [
  "events:PutRule",
  "events:DeleteRule",
  "events:DescribeRule",
  "events:EnableRule",
  "events:DisableRule",
  "events:PutTargets",
  "events:RemoveTargets",
  "events:ListTargetsByRule",
] as const;

export interface CityBusProps {
  /**
   * Days the archive keeps events for replay; 0 keeps them forever (0..36500).
   * @default 30
   */
  readonly archiveRetentionDays?: number;
  /**
   * AWS accounts of city agencies allowed to create rules on the bus (each 12 digits).
   * @default - none
   */
  readonly agencyAccountIds?: readonly string[];
}

export class CityBus extends Construct {
  readonly bus: events.EventBus;
  readonly archive: events.Archive;
  readonly agencyAccountIds: readonly string[];

  constructor(scope: Construct, id: string, props: CityBusProps = {}) {
    super(scope, id);
    const retentionDays = requireInteger(
      this,
      "archiveRetentionDays",
      props.archiveRetentionDays ?? 30,
      0,
      36_500,
    );
    const accounts = (props.agencyAccountIds ?? []).map((a, i) =>
      requireAccountId(this, `agencyAccountIds[${i}]`, a),
    );
    this.agencyAccountIds = [...new Set(accounts)];

    this.bus = new events.EventBus(this, "Bus", {
      description: "Buzz Ville city events",
    });
    pinLogicalId(this.bus, SHARED_IDS.bus);

    this.archive = this.bus.archive("Archive", {
      description: "Every city event, for replay",
      eventPattern: { source: events.Match.prefix("buzzville.") },
      retention: Duration.days(retentionDays),
    });
    pinLogicalId(this.archive, SHARED_IDS.archive);

    const stack = Stack.of(this);
    for (const account of this.agencyAccountIds) {
      this.bus.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `AgencyRules${account}`,
          principals: [new iam.AccountPrincipal(account)],
          actions: [...AGENCY_RULE_ACTIONS],
          resources: [
            stack.formatArn({
              service: "events",
              resource: "rule",
              resourceName: `${this.bus.eventBusName}/*`,
            }),
          ],
          conditions: {
            // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not JS
            StringEqualsIfExists: { "events:creatorAccount": "${aws:PrincipalAccount}" },
          },
        }),
      );
    }
  }
}
