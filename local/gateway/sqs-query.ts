/**
 * SQS's query protocol (form-encoded requests, XML responses), which older AWS CLIs (e.g. Debian
 * bookworm's awscli 2.9) still speak. fauxqs only serves SQS's JSON protocol, so the gateway
 * translates: flattened form parameters -> JSON input, JSON output -> query XML.
 */
import { randomUUID } from "node:crypto";
import { RequestRejectedError, xmlEscape } from "./errors.ts";
import { checkSqsInput } from "./sqs-validate.ts";

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Tree = { [key: string]: Tree | string };

const NUMERIC = new Set([
  "MaxNumberOfMessages",
  "WaitTimeSeconds",
  "VisibilityTimeout",
  "DelaySeconds",
  "MaxResults",
]);

/** Names that would reach Object.prototype if used as keys of an ordinary object. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** A tree node without a prototype: parameter names are data, never properties of Object. */
const node = (): Tree => Object.create(null) as Tree;

function checkKey(key: string): string[] {
  const parts = key.split(".");
  if (key.length > 256 || parts.length > 8 || parts.some((p) => FORBIDDEN_KEYS.has(p))) {
    throw new RequestRejectedError({
      status: 400,
      code: "InvalidParameterValue",
      message: `Parameter name "${key.slice(0, 80)}" is not valid for SQS: use the documented names (e.g. Attribute.1.Name, MessageAttribute.1.Value.StringValue).`,
    });
  }
  return parts;
}

function toTree(params: URLSearchParams): Tree {
  const root = node();
  for (const [key, value] of params) {
    if (key === "Action" || key === "Version") continue;
    const parts = checkKey(key);
    let current = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) {
        current[part] = value;
        return;
      }
      const next = Object.hasOwn(current, part) ? current[part] : undefined;
      if (typeof next === "object") current = next;
      else {
        const created = node();
        current[part] = created;
        current = created;
      }
    });
  }
  return root;
}

/** `{ "1": a, "2": b }` -> `[a, b]` in index order. */
function listOf(list: Tree | string): (Tree | string)[] {
  if (typeof list === "string") return [list];
  return Object.keys(list)
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => list[k] as Tree | string);
}

function field(entry: Tree | string, name: string): string | undefined {
  if (typeof entry === "string" || !Object.hasOwn(entry, name)) return undefined;
  const v = entry[name];
  return typeof v === "string" ? v : undefined;
}

/** An output object without a prototype (keys come from the request). */
const jsonObject = (): { [key: string]: Json } => Object.create(null) as { [key: string]: Json };

function numeric(key: string, value: string): number {
  if (/^-?\d{1,10}$/.test(value)) return Number(value);
  throw new RequestRejectedError({
    status: 400,
    code: "InvalidParameterValue",
    message: `Value ${value.slice(0, 40)} for parameter ${key} is invalid. Reason: must be an integer.`,
  });
}

function normalize(tree: Tree): { [key: string]: Json } {
  const out = jsonObject();
  for (const [key, value] of Object.entries(tree)) {
    if (key === "Attribute") {
      const attrs = jsonObject();
      for (const e of listOf(value)) attrs[field(e, "Name") ?? ""] = field(e, "Value") ?? "";
      out.Attributes = attrs;
    } else if (key === "MessageAttribute" || key === "MessageSystemAttribute") {
      const attrs = jsonObject();
      for (const e of listOf(value)) {
        const v = typeof e === "object" && Object.hasOwn(e, "Value") ? e.Value : undefined;
        attrs[field(e, "Name") ?? ""] = typeof v === "object" ? normalize(v) : {};
      }
      out[`${key}s`] = attrs;
    } else if (key === "Tag") {
      const tags = jsonObject();
      for (const e of listOf(value)) tags[field(e, "Key") ?? ""] = field(e, "Value") ?? "";
      out.tags = tags;
      out.Tags = tags;
    } else if (
      key === "AttributeName" ||
      key === "MessageAttributeName" ||
      key === "MessageSystemAttributeName" ||
      key === "TagKey"
    ) {
      out[`${key}s`] = listOf(value).filter((v): v is string => typeof v === "string");
    } else if (key.endsWith("BatchRequestEntry")) {
      out.Entries = listOf(value).map((e) => (typeof e === "object" ? normalize(e) : e));
    } else if (typeof value === "string") {
      out[key] = NUMERIC.has(key) ? numeric(key, value) : value;
    } else {
      out[key] = normalize(value);
    }
  }
  return out;
}

/** The JSON-protocol input for a query-protocol SQS request. */
export function queryToJson(body: string): { action: string; input: { [key: string]: Json } } {
  const params = new URLSearchParams(body);
  const action = params.get("Action") ?? "";
  const input = normalize(toTree(params));
  const problem = checkSqsInput(action, input);
  if (problem) throw new RequestRejectedError(problem);
  return { action, input };
}

const LIST_ELEMENT: Readonly<Record<string, string>> = {
  QueueUrls: "QueueUrl",
  Messages: "Message",
  Failed: "BatchResultErrorEntry",
  queueUrls: "QueueUrl",
};

function entriesXml(map: { [k: string]: Json }, element: string, k: string, v: string): string {
  return Object.entries(map)
    .map(
      ([name, value]) =>
        `<${element}><${k}>${xmlEscape(name)}</${k}>${valueXml(v, value)}</${element}>`,
    )
    .join("");
}

function valueXml(tag: string, value: Json): string {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return `<${tag}>${objectXml(value, "")}</${tag}>`;
  }
  return `<${tag}>${xmlEscape(String(value))}</${tag}>`;
}

function objectXml(obj: { [k: string]: Json }, action: string): string {
  let xml = "";
  for (const [key, value] of Object.entries(obj)) {
    if (value === null || value === undefined) continue;
    if (key === "Attributes" && typeof value === "object" && !Array.isArray(value)) {
      xml += entriesXml(value, "Attribute", "Name", "Value");
    } else if (key === "MessageAttributes" && typeof value === "object" && !Array.isArray(value)) {
      xml += entriesXml(value, "MessageAttribute", "Name", "Value");
    } else if (key === "Tags" && typeof value === "object" && !Array.isArray(value)) {
      xml += entriesXml(value, "Tag", "Key", "Value");
    } else if (Array.isArray(value)) {
      const element = key === "Successful" ? `${action}ResultEntry` : (LIST_ELEMENT[key] ?? key);
      for (const item of value) {
        xml +=
          item !== null && typeof item === "object" && !Array.isArray(item)
            ? `<${element}>${objectXml(item, action)}</${element}>`
            : `<${element}>${xmlEscape(String(item))}</${element}>`;
      }
    } else {
      xml += valueXml(key, value);
    }
  }
  return xml;
}

/** The query-protocol XML for a JSON-protocol SQS result. */
export function jsonToQueryXml(action: string, output: { [key: string]: Json }): string {
  const requestId = randomUUID();
  return `<?xml version="1.0"?><${action}Response xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><${action}Result>${objectXml(output, action)}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

/**
 * The query error code for a JSON-protocol SQS error: the `x-amzn-query-error` header's code
 * (`AWS.SimpleQueueService.NonExistentQueue;Sender`) or the `__type`'s name.
 */
export function queryErrorCode(queryErrorHeader: string | undefined, type: string): string {
  if (queryErrorHeader) return queryErrorHeader.split(";")[0] ?? type;
  return type.split("#").pop() ?? type;
}
