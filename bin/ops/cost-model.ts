/**
 * The monthly AWS bill of the deployed topology (infra/topology.ts) for a number of events per
 * day: pure arithmetic over a price table, the share of the mix each subscription's rule matches
 * (bin/ops/cost-mix.ts) and, when measured by `npm run bench`, the requests per event by service
 * and action. Every price and assumption is listed with the bill; see docs/CAPACITY.md.
 */
import type { Topology } from "../../infra/topology.ts";

export interface Price {
  readonly usd: number;
  readonly per: string;
  readonly source: string;
}

/** us-east-1 list prices (docs/CAPACITY.md cites each page and when it was read). */
export const PRICES = {
  eventBridgeEvent: {
    usd: 1.0 / 1e6,
    per: "custom event (64 KB chunk)",
    source: "https://aws.amazon.com/eventbridge/pricing/",
  },
  pipesRequest: {
    usd: 0.4 / 1e6,
    per: "Pipes request (64 KB chunk)",
    source: "https://aws.amazon.com/eventbridge/pricing/",
  },
  sqsStandardRequest: {
    usd: 0.4 / 1e6,
    per: "SQS standard request (64 KB chunk), after 1M free/month",
    source: "https://aws.amazon.com/sqs/pricing/",
  },
  sqsFifoRequest: {
    usd: 0.5 / 1e6,
    per: "SQS FIFO request (64 KB chunk)",
    source: "https://aws.amazon.com/sqs/pricing/",
  },
  lambdaRequest: {
    usd: 0.2 / 1e6,
    per: "Lambda invocation",
    source: "https://aws.amazon.com/lambda/pricing/",
  },
  lambdaGbSecond: {
    usd: 0.0000133334,
    per: "Lambda GB-second (Arm)",
    source: "https://aws.amazon.com/lambda/pricing/",
  },
  dynamoWru: {
    usd: 0.625 / 1e6,
    per: "DynamoDB on-demand write request unit (since Nov 2024)",
    source: "https://aws.amazon.com/dynamodb/pricing/on-demand/",
  },
  dynamoRru: {
    usd: 0.125 / 1e6,
    per: "DynamoDB on-demand read request unit (since Nov 2024)",
    source: "https://aws.amazon.com/dynamodb/pricing/on-demand/",
  },
  snsPublish: {
    usd: 0.5 / 1e6,
    per: "SNS publish (64 KB chunk); SMS delivery excluded",
    source: "https://aws.amazon.com/sns/pricing/",
  },
  logsIngestGb: {
    usd: 0.5,
    per: "CloudWatch Logs ingested GB",
    source: "https://aws.amazon.com/cloudwatch/pricing/",
  },
  customMetric: {
    usd: 0.3,
    per: "CloudWatch custom metric-month (first 10,000)",
    source: "https://aws.amazon.com/cloudwatch/pricing/",
  },
  alarm: {
    usd: 0.1,
    per: "CloudWatch standard alarm-month",
    source: "https://aws.amazon.com/cloudwatch/pricing/",
  },
} as const satisfies Record<string, Price>;

export type PriceTable = Record<keyof typeof PRICES, Price>;

export interface Assumptions {
  /** EventBridge events per published event (derived events add to 1). @default 1 */
  readonly busEventsPerEvent: number;
  /** Billed duration of one Lambda invocation (one batch). @default 100 */
  readonly lambdaMsPerInvocation: number;
  /** Log bytes one invocation writes (EMF metrics, warnings). @default 2048 */
  readonly logBytesPerInvocation: number;
  readonly customMetrics: number;
  readonly alarms: number;
  /** Long pollers per queue while idle (Lambda: 5; pipes: 1), 20 s long polls. @default 5 */
  readonly idlePollersPerQueue: number;
  /** SQS requests free per month. @default 1_000_000 */
  readonly sqsFreeRequests: number;
}

export const DEFAULT_ASSUMPTIONS: Assumptions = {
  busEventsPerEvent: 1,
  lambdaMsPerInvocation: 100,
  logBytesPerInvocation: 2048,
  customMetrics: 40,
  alarms: 20,
  idlePollersPerQueue: 5,
  sqsFreeRequests: 1_000_000,
};

/** DynamoDB capacity units per event (events ≤ 1 KB, so 1 unit per item written or read). */
export interface DynamoUnits {
  readonly wru: number;
  readonly rru: number;
}

/** Units per request of each DynamoDB action (1 KB items; eventually consistent reads). */
export const DYNAMO_UNITS: Readonly<Record<string, DynamoUnits>> = {
  PutItem: { wru: 1, rru: 0 },
  UpdateItem: { wru: 1, rru: 0 },
  DeleteItem: { wru: 1, rru: 0 },
  // A transaction costs 2 units per item; the event store's commit writes 2 items.
  TransactWriteItems: { wru: 4, rru: 0 },
  BatchWriteItem: { wru: 10, rru: 0 },
  GetItem: { wru: 0, rru: 0.5 },
  Query: { wru: 0, rru: 0.5 },
  BatchGetItem: { wru: 0, rru: 5 },
  TransactGetItems: { wru: 0, rru: 2 },
};

/** DynamoDB units per event from measured requests per event (actions not listed cost 0). */
export function dynamoUnitsOf(actions: Readonly<Record<string, number>>): DynamoUnits {
  let wru = 0;
  let rru = 0;
  for (const [action, perEvent] of Object.entries(actions)) {
    const units = DYNAMO_UNITS[action];
    if (!units) continue;
    wru += units.wru * perEvent;
    rru += units.rru * perEvent;
  }
  return { wru, rru };
}

export interface BillInputs {
  readonly eventsPerDay: number;
  readonly topology: Topology;
  /** Share of published events each subscription's rule matches, by subscription id. */
  readonly fanOut: Readonly<Record<string, number>>;
  /** DynamoDB units per event and SNS publishes per event (measured or topology defaults). */
  readonly dynamo: DynamoUnits;
  readonly snsPublishesPerEvent: number;
  readonly prices: PriceTable;
  readonly assumptions: Assumptions;
}

export interface BillLine {
  readonly service: string;
  readonly item: string;
  readonly quantity: number;
  readonly price: Price;
  readonly usd: number;
}

export interface Bill {
  readonly eventsPerMonth: number;
  readonly lines: readonly BillLine[];
  readonly totalUsd: number;
  readonly usdPerMillionEvents: number;
}

/** AWS bills a month as 730 hours. */
export const HOURS_PER_MONTH = 730;

/** SQS messages one receive or delete batch carries at most. */
const SQS_BATCH = 10;

export interface PerEventTraffic {
  readonly sqsStandard: number;
  readonly sqsFifo: number;
  readonly pipes: number;
  readonly lambdaInvocations: number;
  readonly lambdaGbSeconds: number;
  /** Queues that Lambda or a pipe polls (idle long polls). */
  readonly polledQueues: number;
}

/**
 * Requests per published event along the topology, with full batches (high rates): the rule's
 * delivery to its queue (SendMessage), for ordered subscriptions the pipe (receive, delete,
 * request, SendMessage to the FIFO queue), the Lambda event source's receives and deletes, and
 * the invocations with their GB-seconds.
 */
export function perEventTraffic(
  topology: Topology,
  fanOut: Readonly<Record<string, number>>,
  assumptions: Assumptions,
): PerEventTraffic {
  let sqsStandard = 0;
  let sqsFifo = 0;
  let pipes = 0;
  let lambdaInvocations = 0;
  let lambdaGbSeconds = 0;
  let polledQueues = 0;
  for (const sub of topology.subscriptions) {
    const f = fanOut[sub.id] ?? 0;
    const fn = topology.functions.find((x) => x.id === sub.functionId);
    sqsStandard += f; // the rule's target delivery: SendMessage to the (intake) queue
    const pollRequests = (2 * f) / SQS_BATCH; // ReceiveMessage + DeleteMessageBatch
    if (sub.ordering) {
      sqsStandard += pollRequests; // the pipe drains the intake queue
      pipes += f;
      sqsFifo += f + pollRequests; // the pipe's SendMessage, then Lambda's receive + delete
      polledQueues += 2;
    } else {
      sqsStandard += pollRequests;
      polledQueues += 1;
    }
    const batch = sub.ordering ? Math.min(sub.batchSize, SQS_BATCH) : sub.batchSize;
    const invocations = f / batch;
    lambdaInvocations += invocations;
    lambdaGbSeconds +=
      invocations * (assumptions.lambdaMsPerInvocation / 1000) * ((fn?.memoryMb ?? 128) / 1024);
  }
  return { sqsStandard, sqsFifo, pipes, lambdaInvocations, lambdaGbSeconds, polledQueues };
}

function line(service: string, item: string, quantity: number, price: Price): BillLine {
  return { service, item, quantity, price, usd: quantity * price.usd };
}

export function monthlyBill(inputs: BillInputs): Bill {
  const { prices: p, assumptions: a } = inputs;
  if (!(inputs.eventsPerDay >= 0)) {
    throw new RangeError(`eventsPerDay must be a number >= 0, got ${inputs.eventsPerDay}`);
  }
  const events = (inputs.eventsPerDay * HOURS_PER_MONTH) / 24;
  const t = perEventTraffic(inputs.topology, inputs.fanOut, a);
  const idlePolls = t.polledQueues * a.idlePollersPerQueue * ((HOURS_PER_MONTH * 3600) / 20);
  const sqsStandard = Math.max(0, events * t.sqsStandard + idlePolls - a.sqsFreeRequests);
  const invocations = events * t.lambdaInvocations;
  const logGb = (invocations * a.logBytesPerInvocation) / 1024 ** 3;
  const lines = [
    line(
      "EventBridge",
      "custom events published",
      events * a.busEventsPerEvent,
      p.eventBridgeEvent,
    ),
    line(
      "EventBridge Pipes",
      "requests (events entering the ordering pipes)",
      events * t.pipes,
      p.pipesRequest,
    ),
    line(
      "SQS",
      "standard requests (rule deliveries, polls, deletes, idle long polls; less the free tier)",
      sqsStandard,
      p.sqsStandardRequest,
    ),
    line("SQS", "FIFO requests (pipe sends, polls, deletes)", events * t.sqsFifo, p.sqsFifoRequest),
    line("Lambda", "invocations (one per batch)", invocations, p.lambdaRequest),
    line("Lambda", "GB-seconds", events * t.lambdaGbSeconds, p.lambdaGbSecond),
    line("DynamoDB", "write request units", events * inputs.dynamo.wru, p.dynamoWru),
    line("DynamoDB", "read request units", events * inputs.dynamo.rru, p.dynamoRru),
    line(
      "SNS",
      "publishes (SMS delivery excluded)",
      events * inputs.snsPublishesPerEvent,
      p.snsPublish,
    ),
    line("CloudWatch", "log GB ingested", logGb, p.logsIngestGb),
    line("CloudWatch", "custom metrics", a.customMetrics, p.customMetric),
    line("CloudWatch", "alarms", a.alarms, p.alarm),
  ];
  const totalUsd = lines.reduce((n, l) => n + l.usd, 0);
  return {
    eventsPerMonth: events,
    lines,
    totalUsd,
    usdPerMillionEvents: events > 0 ? (totalUsd / events) * 1e6 : 0,
  };
}

/**
 * DynamoDB units and SNS publishes per event without a measurement, from what each function
 * uses (infra/topology.ts `uses`), per event reaching it: the event store 2 WRU (the commit and
 * the stream head), the idempotency table 2 WRU (in progress, completed), the read models 1 WRU
 * and 1 RRU, a topic 1 publish.
 */
export function topologyDefaults(
  topology: Topology,
  fanOut: Readonly<Record<string, number>>,
): { dynamo: DynamoUnits; snsPublishesPerEvent: number } {
  let wru = 0;
  let rru = 0;
  let sns = 0;
  for (const sub of topology.subscriptions) {
    const f = fanOut[sub.id] ?? 0;
    const uses = topology.functions.find((x) => x.id === sub.functionId)?.uses ?? [];
    if (uses.includes("eventsTable")) wru += 2 * f;
    if (uses.includes("idempotencyTable")) wru += 2 * f;
    if (uses.includes("readModelsTable")) {
      wru += f;
      rru += f;
    }
    if (uses.some((u) => u.endsWith("Topic"))) sns += f;
  }
  return { dynamo: { wru, rru }, snsPublishesPerEvent: sns };
}
