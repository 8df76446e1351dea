/**
 * The local twin of the AWS crisis alarm + controller Lambda (docs/OPERATIONS.md, "Crisis
 * mode"): reads the critical queues' depth every `intervalMs` and feeds the same
 * CrisisController (functions/crisis/controller.ts) one reading at a time. SQS has no
 * oldest-message attribute (CloudWatch computes it on AWS), so locally the depth decides.
 */
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type {
  CrisisController,
  ShedRule,
  StoredCrisisState,
} from "../../functions/crisis/controller.ts";
import { type CriticalBacklog, readingOf } from "../../functions/crisis/decide.ts";
import { buildCrisisController } from "../../functions/crisis/runtime.ts";
import type { Clock } from "../../functions/shared/clock.ts";
import { SHARED_IDS } from "../../infra/resources.ts";
import { type CrisisSpec, topology as cityTopology, type Topology } from "../../infra/topology.ts";
import type { ResourceMap } from "../resource-map.ts";

export interface CrisisClients {
  readonly sqs: Pick<SQSClient, "send">;
  readonly events: EventBridgeClient;
  readonly documents: DynamoDBDocumentClient;
}

/** The subscriptions a crisis sheds (priority `spec.shedPriority`), with their deployed rules. */
export function shedRulesOf(resources: ResourceMap, topology: Topology = cityTopology): ShedRule[] {
  return topology.subscriptions
    .filter((s) => s.priority === topology.crisis.shedPriority)
    .map((s) => {
      const rule = resources.rules[`${s.id}Rule`];
      if (!rule) throw new Error(`the deployment has no rule ${s.id}Rule (deploy the topology)`);
      return { subscriptionId: s.id, ruleName: rule.name };
    });
}

/** The queue URLs critical work waits in (consumer and intake queues of critical subscriptions). */
export function criticalQueueUrls(
  resources: ResourceMap,
  topology: Topology = cityTopology,
): string[] {
  const critical = new Set(
    topology.subscriptions.filter((s) => s.priority === "critical").map((s) => s.id),
  );
  return Object.values(resources.queues)
    .filter((q) => critical.has(q.subscriptionId) && (q.role === "consumer" || q.role === "intake"))
    .map((q) => q.url);
}

/** Messages waiting (visible) in the critical queues, summed. */
export async function readCriticalBacklog(
  sqs: Pick<SQSClient, "send">,
  urls: readonly string[],
): Promise<CriticalBacklog> {
  const depths = await Promise.all(
    urls.map(async (QueueUrl) => {
      const out = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl,
          AttributeNames: ["ApproximateNumberOfMessages"],
        }),
      );
      return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
    }),
  );
  return { depth: depths.reduce((a, b) => a + b, 0), oldestSeconds: 0 };
}

/** The controller of a local deployment: rules on its bus, state in its read-models table. */
export function localCrisisController(
  resources: ResourceMap,
  clients: CrisisClients,
  options: { topology?: Topology; spec?: CrisisSpec; clock?: Clock } = {},
): CrisisController {
  const topology = options.topology ?? cityTopology;
  const table = resources.tables[SHARED_IDS.readModelsTable];
  if (!table) throw new Error(`the deployment has no table ${SHARED_IDS.readModelsTable}`);
  return buildCrisisController({
    busName: resources.bus.name,
    readModelsTable: table.name,
    shed: shedRulesOf(resources, topology),
    events: clients.events,
    documents: clients.documents,
    spec: options.spec ?? topology.crisis,
    ...(options.clock ? { clock: options.clock } : {}),
  });
}

export interface CrisisMonitorOptions {
  readonly resources: ResourceMap;
  readonly clients: CrisisClients;
  readonly topology?: Topology;
  /** Thresholds. @default topology.crisis */
  readonly spec?: CrisisSpec;
  /** @default 1000 */
  readonly intervalMs?: number;
  readonly onError?: (error: unknown) => void;
}

/** What a run's summary says about crisis mode (local/up/status.ts). */
export interface CrisisReport {
  /** Mode changes during the run (each one a CrisisModeChanged event). */
  readonly transitions: number;
  /** Seconds the shed subscriptions were shed. */
  readonly shedSeconds: number;
  readonly shedSubscriptions: readonly string[];
  /** Info readings the producers held back under backpressure. */
  readonly heldBack: number;
}

/** Reads, decides, switches; `mode` is what producers read for backpressure. */
export class LocalCrisisMonitor {
  readonly controller: CrisisController;
  private readonly urls: string[];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private last: StoredCrisisState | undefined;
  private transitions = 0;
  private shedMs = 0;
  private shedFrom: number | undefined;

  constructor(private readonly options: CrisisMonitorOptions) {
    this.controller = localCrisisController(options.resources, options.clients, options);
    this.urls = criticalQueueUrls(options.resources, options.topology);
  }

  /** The mode after the last check (normal before the first). */
  get mode(): "normal" | "crisis" {
    return this.last?.mode ?? "normal";
  }

  /** One reading of the critical backlog, decided and applied. */
  async check(): Promise<StoredCrisisState> {
    const backlog = await readCriticalBacklog(this.options.clients.sqs, this.urls);
    const spec = this.options.spec ?? (this.options.topology ?? cityTopology).crisis;
    const before = this.mode;
    this.last = await this.controller.observe(readingOf(spec, backlog));
    this.account(before, this.last.mode);
    return this.last;
  }

  private account(before: "normal" | "crisis", after: "normal" | "crisis"): void {
    if (before === after) return;
    this.transitions++;
    if (after === "crisis") this.shedFrom = Date.now();
    else if (this.shedFrom !== undefined) {
      this.shedMs += Date.now() - this.shedFrom;
      this.shedFrom = undefined;
    }
  }

  /** The run's crisis figures; `heldBack` from the simulator's summary. */
  report(heldBack: number): CrisisReport {
    const open = this.shedFrom === undefined ? 0 : Date.now() - this.shedFrom;
    return {
      transitions: this.transitions,
      shedSeconds: Math.round((this.shedMs + open) / 1000),
      shedSubscriptions: shedRulesOf(this.options.resources, this.options.topology).map(
        (r) => r.subscriptionId,
      ),
      heldBack,
    };
  }

  start(): void {
    const every = this.options.intervalMs ?? 1000;
    const tick = () => {
      this.running = this.check()
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(tick, every);
        });
    };
    this.timer = setTimeout(tick, every);
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
