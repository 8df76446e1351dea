/**
 * The small JSONPath subset EventBridge Pipes accepts in dynamic parameters and input templates:
 * `$`, `$.a.b`, `$.a[0]`, `$['a']`. Strings that are JSON are parsed, so `$.body.detail.x` reaches
 * into an SQS message body holding an EventBridge event, as on AWS.
 */

export class JsonPathError extends Error {
  override readonly name = "JsonPathError";
}

export function parsePath(path: string): (string | number)[] {
  if (!path.startsWith("$")) {
    throw new JsonPathError(
      `JSONPath "${path}" must start with "$" (e.g. "$.body.detail.meta.eventId")`,
    );
  }
  const segments: (string | number)[] = [];
  const re = /\.([A-Za-z0-9_\-$]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/gy;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const position = re.lastIndex;
    const m = re.exec(path);
    if (!m) {
      throw new JsonPathError(
        `JSONPath "${path}" is not supported at position ${position}: use dotted keys, ['key'] or [index]`,
      );
    }
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[2] !== undefined) segments.push(Number(m[2]));
    else segments.push(m[3] ?? m[4] ?? "");
  }
  return segments;
}

/** A string holding a JSON object or array, parsed; any other value as it is. */
export function parseIfJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const t = value.trimStart();
  if (!t.startsWith("{") && !t.startsWith("[")) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** The value at `path` in `root`, or `undefined` when any step is missing. */
export function evaluatePath(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const segment of parsePath(path)) {
    node = parseIfJson(node);
    if (node === null || typeof node !== "object") return undefined;
    // Own properties only: `$.__proto__` or `$.constructor` reach nothing (docs/LOCAL.md).
    if (!Object.hasOwn(node, segment)) return undefined;
    node = (node as Record<string | number, unknown>)[segment];
    if (node === undefined) return undefined;
  }
  return parseIfJson(node);
}

/** Whether a Pipes parameter is a JSONPath (dynamic) rather than a static value. */
export const isDynamic = (value: string) => value.startsWith("$.") || value === "$";

/**
 * Renders a Pipes InputTemplate: `<$.path>` placeholders are replaced by the values they select.
 * A template that is a single placeholder yields that value itself (objects as JSON text).
 */
export function renderTemplate(template: string, root: unknown): string {
  const whole = template.trim().match(/^<(\$[^>]*)>$/);
  if (whole?.[1]) {
    const value = evaluatePath(root, whole[1]);
    return typeof value === "string" ? value : JSON.stringify(value ?? null);
  }
  return template.replace(/<(\$[^>]*)>/g, (_all, path: string) => {
    const value = evaluatePath(root, path);
    return typeof value === "string" ? value : JSON.stringify(value ?? null);
  });
}
