/**
 * What a target receives: the whole event, a constant `Input`, the value at `InputPath`, or
 * an `InputTransformer` rendering. Rendering follows the AWS guide ("Amazon EventBridge input
 * transformation", eb-transform-target-input):
 * - in a JSON template, a placeholder outside quotes becomes the JSON of its value (AWS adds
 *   the quotes to strings; objects and arrays go in as JSON);
 * - inside a quoted string, values are NOT escaped ("EventBridge doesn't escape values
 *   extracted by Input Path"); an object or array loses its internal quotes ("EventBridge
 *   removes any internal quotes to ensure a valid string");
 * - a variable whose path matches nothing "isn't created and won't appear in the output":
 *   its placeholder renders as nothing;
 * - in a plain-text template, strings go in raw and other values as JSON.
 * Predefined: aws.events.rule-arn, aws.events.rule-name, aws.events.event.ingestion-time,
 * aws.events.event (the event without `detail`), aws.events.event.json (the whole event).
 */
import type { TargetRecord } from "../store.ts";
import type { EventEnvelope } from "../types.ts";
import { evaluateJsonPath, parseJsonPath } from "./jsonpath.ts";

export interface RenderContext {
  readonly event: EventEnvelope;
  readonly ruleArn: string;
  readonly ruleName: string;
  /** Epoch ms at which the bus received the event. */
  readonly ingestedAt: number;
  /** The X-Ray trace header passed on to the target (SQS: its AWSTraceHeader). */
  readonly traceHeader?: string | undefined;
}

const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/g;

function variables(
  paths: Record<string, string> | undefined,
  ctx: RenderContext,
): Map<string, unknown> {
  const vars = new Map<string, unknown>();
  for (const [name, path] of Object.entries(paths ?? {})) {
    const steps = parseJsonPath(path);
    vars.set(name, steps ? evaluateJsonPath(steps, ctx.event) : undefined);
  }
  const { detail: _detail, ...withoutDetail } = ctx.event;
  vars.set("aws.events.rule-arn", ctx.ruleArn);
  vars.set("aws.events.rule-name", ctx.ruleName);
  vars.set("aws.events.event.ingestion-time", new Date(ctx.ingestedAt).toISOString());
  vars.set("aws.events.event", withoutDetail);
  vars.set("aws.events.event.json", ctx.event);
  return vars;
}

/** Offsets of the template that sit inside a JSON string literal. */
function insideStrings(template: string): (offset: number) => boolean {
  const inside = new Uint8Array(template.length);
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (inString) {
      inside[i] = 1;
      if (c === "\\") {
        inside[i + 1] = 1;
        i++;
      } else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      inside[i] = 1;
    }
  }
  return (offset) => inside[offset] === 1;
}

/** A JSON template: an object, an array or a string literal (AWS's quoted string templates). */
export function isJsonTemplate(template: string): boolean {
  const t = template.trim();
  return (
    (t.startsWith("{") && t.endsWith("}")) ||
    (t.startsWith("[") && t.endsWith("]")) ||
    (t.length >= 2 && t.startsWith('"') && t.endsWith('"'))
  );
}

/** A value placed inside a quoted string: raw text, objects/arrays without their quotes. */
function inString(value: unknown): string {
  if (typeof value === "string") return value;
  const json = JSON.stringify(value);
  return typeof value === "object" && value !== null ? json.replaceAll('"', "") : json;
}

export function renderTemplate(
  template: string,
  paths: Record<string, string> | undefined,
  ctx: RenderContext,
): string {
  const vars = variables(paths, ctx);
  const json = isJsonTemplate(template);
  const quoted = insideStrings(template);
  return template.replace(PLACEHOLDER, (whole, name: string, offset: number) => {
    if (!vars.has(name)) return whole;
    const value = vars.get(name);
    // A path that matched nothing creates no variable: nothing appears in the output.
    if (value === undefined) return "";
    if (json && !quoted(offset)) return JSON.stringify(value);
    // Not documented by AWS: a null inside text renders as nothing (kept from before).
    if (value === null) return "";
    return json ? inString(value) : typeof value === "string" ? value : JSON.stringify(value);
  });
}
/** The payload (text) a target receives for this event. */
export function targetInput(target: TargetRecord, ctx: RenderContext): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) {
    const steps = parseJsonPath(target.InputPath);
    const value = steps ? evaluateJsonPath(steps, ctx.event) : undefined;
    return value === undefined ? "" : JSON.stringify(value);
  }
  if (target.InputTransformer !== undefined) {
    const { InputTemplate, InputPathsMap } = target.InputTransformer;
    return renderTemplate(InputTemplate, InputPathsMap, ctx);
  }
  return JSON.stringify(ctx.event);
}
