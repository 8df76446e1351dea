/**
 * Renders the topology as a mermaid graph (pure; used by `npm run diagram` and the docs).
 * Node ids are the CloudFormation logical ids of infra/resources.ts.
 */
import { ids, RESOURCE_LOGICAL_ID } from "./resources.ts";
import { functionOf, type ResourceRef, type Topology } from "./topology.ts";

const RESOURCE_LABEL: Readonly<Record<ResourceRef, string>> = {
  bus: "EventBridge city bus",
  eventsTable: "DynamoDB events",
  readModelsTable: "DynamoDB read models",
  idempotencyTable: "DynamoDB idempotency",
  citizenAlertsTopic: "SNS citizen alerts<br/>(filter: zone)",
  mediaTopic: "SNS media posts",
};

/** Mermaid-safe label text (quotes and pipes would end the label). */
function label(text: string): string {
  return text.replace(/"/g, "'").replace(/\|/g, "/");
}

/** A short human description of a pattern (detail-types or the matched meta key). */
function describePattern(pattern: Readonly<Record<string, unknown>>): string {
  const types = pattern["detail-type"];
  const detail = pattern.detail as { meta?: Record<string, unknown> } | undefined;
  const parts: string[] = [];
  if (Array.isArray(types)) parts.push(`${types.length} types`);
  if (detail?.meta) {
    for (const [k, v] of Object.entries(detail.meta)) {
      parts.push(
        Array.isArray(v) && v.every((x) => typeof x === "string") ? `${k}: ${v.join("/")}` : k,
      );
    }
  }
  return parts.length > 0 ? parts.join(", ") : "all city events";
}

export interface MermaidOptions {
  /**
   * Graph direction.
   * @default "LR"
   */
  readonly direction?: "LR" | "TD";
}

/** The topology as a mermaid `graph`: bus -> rules -> queues (-> pipe -> FIFO) -> functions -> resources. */
export function renderMermaid(t: Topology, options: MermaidOptions = {}): string {
  const lines = [`graph ${options.direction ?? "LR"}`];
  const bus = RESOURCE_LOGICAL_ID.bus;
  lines.push(`  Producers[Producers / simulator] -->|PutEvents| ${bus}[("${RESOURCE_LABEL.bus}")]`);

  for (const sub of t.subscriptions) {
    const fn = functionOf(t, sub);
    const queue = ids.queue(sub);
    const ruleLabel = label(`${sub.id}: ${describePattern(sub.pattern)}`);
    const batch = `batch ${sub.batchSize}, window ${sub.maxBatchingWindowSeconds}s, max ${sub.maxConcurrency}`;
    if (sub.ordering) {
      const intake = ids.intakeQueue(sub);
      lines.push(`  ${bus} -->|"${ruleLabel}"| ${intake}["${intake}<br/>(standard + DLQ)"]`);
      lines.push(
        `  ${intake} -->|"${ids.pipe(sub)}: group = ${label(sub.ordering.groupIdPath)}"| ${queue}[["${queue}<br/>(FIFO + DLQ)"]]`,
      );
    } else {
      lines.push(`  ${bus} -->|"${ruleLabel}"| ${queue}["${queue}<br/>(${sub.priority} + DLQ)"]`);
    }
    lines.push(`  ${queue} -->|"${batch}"| ${ids.function(fn)}`);
  }

  for (const fn of t.functions) {
    lines.push(`  ${ids.function(fn)}{{"${fn.id} λ<br/>${label(fn.entry)}"}}`);
    for (const ref of fn.uses) {
      const target = RESOURCE_LOGICAL_ID[ref];
      if (ref === "bus") {
        lines.push(`  ${ids.function(fn)} -.->|derived events| ${bus}`);
      } else {
        lines.push(`  ${ids.function(fn)} --> ${target}[("${RESOURCE_LABEL[ref]}")]`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}
