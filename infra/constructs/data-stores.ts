/**
 * The city's DynamoDB tables (docs/ARCHITECTURE.md, "Data"): the append-only event store, the read
 * models and the Powertools idempotency table. All on-demand, with point-in-time recovery and
 * server-side encryption (AWS-managed KMS key).
 */
import { RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import { Construct } from "constructs";
import { SHARED_IDS } from "../resources.ts";
import { EVENTS_TABLE_KEYS, IDEMPOTENCY_TABLE_KEYS, READ_MODELS_TABLE_KEYS } from "../tables.ts";
import { pinLogicalId } from "./queues.ts";

export { EVENTS_TABLE_KEYS, IDEMPOTENCY_TABLE_KEYS, READ_MODELS_TABLE_KEYS } from "../tables.ts";

export interface DataStoresProps {
  /**
   * What happens to the tables when they leave the stack.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Refuse DeleteTable while on.
   * @default - true when removalPolicy is RETAIN
   */
  readonly deletionProtection?: boolean;
}

export class DataStores extends Construct {
  readonly eventsTable: dynamodb.Table;
  readonly readModelsTable: dynamodb.Table;
  readonly idempotencyTable: dynamodb.Table;

  constructor(scope: Construct, id: string, props: DataStoresProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    const common = {
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy,
      deletionProtection: props.deletionProtection ?? removalPolicy === RemovalPolicy.RETAIN,
    } satisfies Partial<dynamodb.TableProps>;
    const str = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });

    this.eventsTable = new dynamodb.Table(this, "Events", {
      ...common,
      partitionKey: str(EVENTS_TABLE_KEYS.partitionKey),
      sortKey: str(EVENTS_TABLE_KEYS.sortKey),
    });
    this.eventsTable.addGlobalSecondaryIndex({
      indexName: EVENTS_TABLE_KEYS.timeIndex.name,
      partitionKey: str(EVENTS_TABLE_KEYS.timeIndex.partitionKey),
      sortKey: str(EVENTS_TABLE_KEYS.timeIndex.sortKey),
      projectionType: dynamodb.ProjectionType.ALL,
    });
    pinLogicalId(this.eventsTable, SHARED_IDS.eventsTable);

    this.readModelsTable = new dynamodb.Table(this, "ReadModels", {
      ...common,
      partitionKey: str(READ_MODELS_TABLE_KEYS.partitionKey),
      sortKey: str(READ_MODELS_TABLE_KEYS.sortKey),
    });
    pinLogicalId(this.readModelsTable, SHARED_IDS.readModelsTable);

    this.idempotencyTable = new dynamodb.Table(this, "Idempotency", {
      ...common,
      partitionKey: str(IDEMPOTENCY_TABLE_KEYS.partitionKey),
      timeToLiveAttribute: IDEMPOTENCY_TABLE_KEYS.ttlAttribute,
    });
    pinLogicalId(this.idempotencyTable, SHARED_IDS.idempotencyTable);
  }
}
