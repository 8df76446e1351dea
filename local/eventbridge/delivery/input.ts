/**
 * What a target receives: the whole event, a constant `Input`, the value at `InputPath`, or
 * an `InputTransformer` rendering. Rendering follows AWS: in a JSON template a placeholder
 * outside quotes becomes the JSON of its value (strings get quoted and escaped); inside a
 * JSON string it becomes the escaped text; in a plain-text template values are inserted raw.
 * Predefined: aws.events.rule-arn, aws.events.rule-name, aws.events.event.ingestion-time,
 * aws.events.event (the event without `detail`), aws.events.event.json (the whole event).
 */
import type { TargetRecord } from "../store.ts";
import type { EventEnvelope } from "../types.ts";
import { isoSeconds } from "../validate.ts";
import { evaluateJsonPath, parseJsonPath } from "./jsonpath.ts";

export interface RenderContext {
  readonly event: EventEnvelope;
  readonly ruleArn: string;
  readonly ruleName: string;
  /** Epoch ms at which the bus received the event. */
  readonly ingestedAt: number;
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

export function isJsonTemplate(template: string): boolean {
  const t = template.trim();
  return (t.startsWith("{") && t.endsWith("}")) || (t.startsWith("[") && t.endsWith("]"));
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
    if (json && !quoted(offset)) return value === undefined ? "null" : JSON.stringify(value);
    if (value === undefined || value === null) return "";
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return json ? JSON.stringify(text).slice(1, -1) : text;
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

export const eventTime = isoSeconds;
