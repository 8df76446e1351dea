/**
 * SNS topics: citizen alerts (one topic; each subscriber filters on the `zone` message attribute
 * the notification service sets) and media posts. Encrypted with the AWS-managed SNS key and
 * publishing over TLS only.
 */
import * as kms from "aws-cdk-lib/aws-kms";
import * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { SHARED_IDS } from "../resources.ts";
import { pinLogicalId } from "./queues.ts";

/** The message attribute citizen-alert subscribers filter on (`{ zone: ["z3"] }`). */
export const ZONE_ATTRIBUTE = "zone";

export class CityTopics extends Construct {
  readonly citizenAlerts: sns.Topic;
  readonly mediaPosts: sns.Topic;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const masterKey = kms.Alias.fromAliasName(this, "SnsKey", "alias/aws/sns");
    this.citizenAlerts = new sns.Topic(this, "CitizenAlerts", {
      displayName: "Buzz Ville citizen alerts",
      masterKey,
      enforceSSL: true,
    });
    pinLogicalId(this.citizenAlerts, SHARED_IDS.citizenAlertsTopic);
    this.mediaPosts = new sns.Topic(this, "MediaPosts", {
      displayName: "Buzz Ville media posts",
      masterKey,
      enforceSSL: true,
    });
    pinLogicalId(this.mediaPosts, SHARED_IDS.mediaTopic);
  }
}
