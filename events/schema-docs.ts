/**
 * Renders the catalog as JSON Schemas (one file per type: the full EventBridge event, detail
 * included) and as docs/EVENTS.md. Pure: `export-schemas.ts` writes the files, a unit test
 * checks the committed files are up to date.
 */
import { z } from "zod";
import type { EventDefinition, StreamRule } from "./catalog/common.ts";
import { allDefinitions } from "./catalog.ts";
import { createStampContext, type EventDraft, stampDraft } from "./draft.ts";
import { PRIORITIES } from "./envelope.ts";
import type { EventType } from "./names.ts";
import { seededRandom } from "./random.ts";
import { detailSchemaOf } from "./validate.ts";

/** Where the generated files live, relative to the repository root. */
export const SCHEMAS_DIR = "events/schemas";
export const EVENTS_DOC = "docs/EVENTS.md";

/** EventBridge Schema Registry accepts JSONSchemaDraft4 (and OpenAPI 3). */
const TARGET = "draft-04";
const EXAMPLE_TIME = Date.parse("2026-11-23T15:00:00.000Z");

type JsonObject = Record<string, unknown>;

/** The JSON Schema of a type's full EventBridge event. */
export function jsonSchemaOf(def: EventDefinition): JsonObject {
  const detail = z.toJSONSchema(detailSchemaOf(def.type), {
    target: TARGET,
    io: "input",
  }) as JsonObject;
  delete detail.$schema;
  return {
    $schema: "http://json-schema.org/draft-04/schema#",
    id: `urn:buzzville:events:${def.type}:v${def.schemaVersion}`,
    title: def.type,
    description: `${def.description} EventBridge event: source ${def.source}, detail-type ${def.type}, detail = payload + meta.`,
    type: "object",
    properties: {
      version: { type: "string" },
      id: { type: "string" },
      "detail-type": { type: "string", enum: [def.type] },
      source: { type: "string", enum: [def.source] },
      account: { type: "string" },
      time: { type: "string", format: "date-time" },
      region: { type: "string" },
      resources: { type: "array", items: { type: "string" } },
      detail,
    },
    required: ["detail-type", "source", "detail"],
  };
}

/** `events/schemas/<Type>.json` → content, for every type. */
export function renderJsonSchemas(): Map<string, string> {
  const files = new Map<string, string>();
  for (const def of allDefinitions()) {
    files.set(`${SCHEMAS_DIR}/${def.type}.json`, `${JSON.stringify(jsonSchemaOf(def), null, 2)}\n`);
  }
  return files;
}

function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

/** A deterministic, fully stamped example EventBridge event of a type. */
export function exampleEvent(def: EventDefinition): JsonObject {
  const random = seededRandom(def.type.length * 7919 + def.type.charCodeAt(0));
  const ctx = createStampContext({
    producerId: `${def.source.replace("buzzville.", "")}-01`,
    now: () => EXAMPLE_TIME,
    random,
  });
  const draft = { type: def.type, payload: def.example } as EventDraft;
  const event = stampDraft(draft, ctx);
  return {
    version: "0",
    id: uuidFrom(random),
    "detail-type": event.detailType,
    source: event.source,
    account: "123456789012",
    time: "2026-11-23T15:00:00Z",
    region: "eu-west-1",
    resources: [],
    detail: event.detail,
  };
}

function streamText(rule: StreamRule): string {
  const main = `\`${rule.kind}#<${rule.from}>\``;
  return rule.otherwise ? `${main}, else ${streamText(rule.otherwise)}` : main;
}

function fieldType(schema: JsonObject): string {
  if (Array.isArray(schema.enum)) return schema.enum.map(String).join(" \\| ");
  if (schema.type === "array") {
    const items = (schema.items ?? {}) as JsonObject;
    return `${fieldType(items)}[]`;
  }
  if (typeof schema.pattern === "string" && schema.format === undefined)
    return `string (\`${schema.pattern}\`)`;
  if (schema.format === "date-time") return "ISO UTC date-time";
  const range =
    schema.minimum !== undefined || schema.maximum !== undefined
      ? ` ${schema.minimum ?? ""}..${schema.maximum ?? ""}`
      : "";
  return `${String(schema.type ?? "any")}${range}`;
}

function fieldRows(schema: JsonObject, prefix = ""): string[] {
  const props = (schema.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((schema.required ?? []) as string[]);
  const rows: string[] = [];
  for (const [name, prop] of Object.entries(props)) {
    if (prefix === "" && name === "meta") continue;
    const path = `${prefix}${name}`;
    rows.push(`| \`${path}\` | ${fieldType(prop)} | ${required.has(name) ? "yes" : "no"} |`);
    if (prop.type === "object" && prop.properties) rows.push(...fieldRows(prop, `${path}.`));
  }
  return rows;
}

function section(def: EventDefinition): string {
  const schema = jsonSchemaOf(def);
  const detail = (schema.properties as Record<string, JsonObject>).detail as JsonObject;
  return [
    `### ${def.type}`,
    "",
    def.description,
    "",
    `- **Source:** \`${def.source}\``,
    `- **Priority:** ${def.priorityRule}`,
    `- **Ordering key / stream:** ${streamText(def.streamRule)}`,
    `- **Consumers:** ${def.consumers.join(", ")}`,
    `- **Schema:** [\`${SCHEMAS_DIR}/${def.type}.json\`](../${SCHEMAS_DIR}/${def.type}.json) (schemaVersion ${def.schemaVersion})`,
    "",
    "| Payload field | Type | Required |",
    "| --- | --- | --- |",
    ...fieldRows(detail),
    "",
    "```json",
    JSON.stringify(exampleEvent(def), null, 2),
    "```",
    "",
  ].join("\n");
}

/** The head of docs/EVENTS.md: the envelope and the `meta` fields. */
const EVENTS_DOC_HEAD: readonly string[] = [
  "# City events",
  "",
  "<!-- Generated by `npm run schemas` from events/catalog; do not edit by hand. A unit test fails when this file is out of date. -->",
  "",
  "Every city event is an Amazon EventBridge event: `source` is the producer kind",
  "(`buzzville.<kind>`), `detail-type` is the event type (PascalCase, past tense), and `detail` is",
  "the payload plus a `meta` object. Producers publish with `CityEventPublisher`",
  "(`events/publisher.ts`), which validates, stamps `meta` and batches `PutEvents`. Consumers parse",
  "with `parseCityEvent` (`events/validate.ts`). Payloads are strict: unknown fields are rejected, and",
  "no payload carries personal data (counts only, never a phone number or a name of a person).",
  "",
  "## meta",
  "",
  "| Field | Meaning |",
  "| --- | --- |",
  "| `eventId` | ULID. Derived events get a deterministic id from their cause (`derivedEventId`). |",
  "| `occurredAt` | ISO 8601 UTC. |",
  "| `producerId` | The device or service instance that emitted it; derived events carry a per-instance id, `svc-<service>/<instanceId>`. |",
  "| `sequence` | Per producerId, 1, 2, 3…: consumers track sequences per producerId and detect gaps, duplicates and reordering (`SequenceTracker`). |",
  "| `lamport` | Lamport time of the producer (tick on send, max+1 on receive). |",
  "| `vectorClock` | producerId → counter: the cause's clock (derived events) with the producer's own entry set to its `sequence`; one entry per producer on the causal chain. Optional: events published before clocks were stamped have none (see docs/OPERATIONS.md, causal timelines). |",
  `| \`priority\` | ${PRIORITIES.join(" \\| ")}, from the type's rule below (routes to separate queues). |`,
  "| `zone` | From the payload's location (or zone). |",
  "| `intersectionId` | From the payload's location, when at an intersection; the traffic service receives every such event. |",
  "| `streamId` | Ordering key and event-store stream: `intersection#<id>`, `incident#<id>`, `alert#<id>` or `zone#<zone>`. |",
  "| `correlationId` | The story an event belongs to; defaults to the first event's id; derived events inherit it. |",
  "| `causationId` | The event that caused this one (derived events). |",
  "| `schemaVersion` | Version of the type's schema. |",
  "| `replayed` | True when re-delivered from the archive. |",
  "",
  "JSON Schemas (draft-04, the dialect of the EventBridge Schema Registry) of every full event are in",
  `\`${SCHEMAS_DIR}/\`, one file per type.`,
  "",
];

/** How to publish and consume (docs/EVENTS.md). */
const EVENTS_DOC_PUBLISHING: readonly string[] = [
  "## Publishing and consuming",
  "",
  "```ts",
  'import { CityEventPublisher, parseCityEvent } from "../events/index.ts";',
  "",
  "// producer: bus from EVENT_BUS_NAME, client = new EventBridgeClient({ maxAttempts: 1 }) (honours",
  '// AWS_ENDPOINT_URL); meta.producerId = "weather-station-7/<random instance id>"',
  'const publisher = CityEventPublisher.fromEnv({ producerId: "weather-station-7" });',
  'const [event] = await publisher.publish([{ type: "WeatherAlertIssued", payload }]);',
  "",
  "// consumer (an SQS record body is the EventBridge event as JSON)",
  "const cause = parseCityEvent(record.body); // throws InvalidEventError naming type, field, rule",
  "// derived events: causationId, correlationId, deterministic eventId, Lamport receive",
  'await publisher.publishDerived(cause, [{ type: "IncidentOpened", payload: opened, step: "open" }]);',
  "```",
  "",
  "- `publish` validates every draft first: one invalid draft rejects the whole call with an",
  "  `InvalidEventError` listing each invalid draft by index, before any network call.",
  "- Requests hold at most 10 entries and at most 256 KiB (entry size as AWS computes it: 14 bytes",
  "  for `Time` plus the UTF-8 bytes of `Source`, `DetailType`, `Detail` and `Resources`).",
  "- Entries that fail (`FailedEntryCount` / per-entry `ErrorCode`) and throttled or 5xx calls are",
  "  retried, only those entries, with exponential backoff and full jitter (5 attempts by default).",
  "  Permanent errors (`MalformedDetail`, access denied, bus not found…) are not retried. What still",
  "  failed is thrown as a `PublishFailedError` listing each entry's `eventId`, type, AWS `ErrorCode`",
  "  and message, together with the ids that were published; its `cause` is the SDK error of the",
  "  failed call (an `AggregateError` when several calls failed), and each entry keeps its own.",
  "- The default client is `new EventBridgeClient({ maxAttempts: 1 })`: the SDK does not retry, so",
  "  the publisher's backoff is the only retry layer. Build an injected client the same way.",
  "- Sequence numbers and Lamport clocks live in memory and start at 1 in every instance (a Lambda",
  "  cold start, a restart). So that (producerId, sequence) never repeats, a producer that runs as",
  "  several instances stamps a per-instance producer id, `<producerId>/<instanceId>`: option",
  "  `instanceId` (`true` = a random 8-character id from the injected random, or a string; the",
  "  default of `fromEnv`). Derived events carry a per-instance producer id",
  "  (`svc-<service>/<instanceId>`); consumers track sequence per producerId, and a new instance is",
  "  a new producer whose first event is sequence 1. Producers with one long-lived counter (the",
  "  simulator's devices) keep their plain producerId.",
  "- A retry can deliver an event twice (at-least-once): consumers deduplicate on `meta.eventId`.",
  "",
];

/** docs/EVENTS.md. */
export function renderEventsDoc(): string {
  const defs = allDefinitions();
  const row = (d: EventDefinition): string =>
    `| [${d.type}](#${d.type.toLowerCase()}) | \`${d.source}\` | ${d.priorityRule} | ${streamText(d.streamRule)} | ${d.consumers.join(", ")} |`;
  const derived = (t: EventType): boolean =>
    ["emergency", "traffic", "notification", "media", "analytics"].some(
      (s) => defs.find((d) => d.type === t)?.source === `buzzville.${s}`,
    );
  return [
    ...EVENTS_DOC_HEAD,
    ...EVENTS_DOC_PUBLISHING,
    "## Types",
    "",
    "| Type | Source | Priority | Ordering key / stream | Consumers |",
    "| --- | --- | --- | --- | --- |",
    ...defs.map(row),
    "",
    "Consumers follow the subscriptions of `infra/topology.ts`: emergency takes critical incident",
    "types from devices, notification takes alert types from devices (critical/high without batching,",
    "normal/info batched), traffic takes every event with `meta.intersectionId`, media takes the public",
    "types, and the event store and analytics take everything.",
    "",
    "## Device events",
    "",
    ...defs.filter((d) => !derived(d.type)).map(section),
    "## Derived events",
    "",
    "Emitted by the city's own services in reaction to another event: `causationId` is the cause's",
    "`eventId`, `correlationId` the cause's, and `eventId` is derived deterministically from the cause.",
    "",
    ...defs.filter((d) => derived(d.type)).map(section),
  ]
    .join("\n")
    .replace(/\n+$/, "\n");
}
