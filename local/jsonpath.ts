/**
 * JSONPath, once, for the local cloud's two users: EventBridge targets (InputPath and the
 * InputTransformer's InputPathsMap, local/eventbridge/delivery/jsonpath.ts) and EventBridge Pipes
 * (dynamic path parameters and `<$.path>` placeholders of an InputTemplate,
 * local/pipes/jsonpath.ts). The grammar: `$`, `.key` (letters, digits, `_ - / $ @ :`), `.*`,
 * `[index]`, `['key']`, `["key"]` and `[*]`. Each service's own rules are a thin layer over it.
 *
 * Lookups read own properties only, so `$.__proto__` or `$.constructor` reach nothing
 * (docs/LOCAL.md): keys on objects, indices on arrays.
 */

export type PathStep =
  /** `bracket`: written `['key']` or `["key"]` rather than `.key`. */
  | { readonly key: string; readonly bracket?: true; readonly at: number }
  | { readonly index: number; readonly at: number }
  | { readonly wildcard: true; readonly at: number };

const STEP = /\.([A-Za-z0-9_\-/$@:]+)|\.\*|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]|\[\*\]/y;

/** One step of `path` at `at`, or undefined when none starts there. */
function stepAt(path: string, at: number): { step: PathStep; end: number } | undefined {
  STEP.lastIndex = at;
  const m = STEP.exec(path);
  if (!m) return undefined;
  const end = at + m[0].length;
  if (m[1] !== undefined) return { step: { key: m[1], at }, end };
  if (m[2] !== undefined) return { step: { index: Number(m[2]), at }, end };
  const quoted = m[3] ?? m[4];
  if (quoted !== undefined) return { step: { key: quoted, bracket: true, at }, end };
  return { step: { wildcard: true, at }, end };
}

/**
 * The steps of `path`; or, when it is not in the grammar, the position where it stops being so
 * (0 when it does not start with `$`).
 */
export function parseSteps(path: string): PathStep[] | { readonly failedAt: number } {
  if (!path.startsWith("$")) return { failedAt: 0 };
  const steps: PathStep[] = [];
  let at = 1;
  while (at < path.length) {
    const next = stepAt(path, at);
    if (!next) return { failedAt: at };
    steps.push(next.step);
    at = next.end;
  }
  return steps;
}

/** The values one step reaches from `value` (own properties only). */
function stepInto(value: unknown, step: PathStep): unknown[] {
  if (typeof value !== "object" || value === null) return [];
  if ("wildcard" in step) return Array.isArray(value) ? value : Object.values(value);
  if ("index" in step) {
    return Array.isArray(value) && step.index < value.length ? [value[step.index]] : [];
  }
  return !Array.isArray(value) && Object.hasOwn(value, step.key)
    ? [(value as Record<string, unknown>)[step.key]]
    : [];
}

/**
 * The value `steps` select in `root`; undefined when nothing is there. A wildcard makes it the
 * array of every value reached. `decode` sees each value before it is stepped into or returned
 * (Pipes parses JSON held in strings; EventBridge takes values as they are).
 */
export function evaluateSteps(
  steps: readonly PathStep[],
  root: unknown,
  decode: (value: unknown) => unknown = (value) => value,
): unknown {
  let current: unknown[] = [root];
  let multi = false;
  for (const step of steps) {
    if ("wildcard" in step) multi = true;
    current = current.flatMap((value) => stepInto(decode(value), step));
  }
  if (multi) return current.length > 0 ? current.map(decode) : undefined;
  return current[0] === undefined ? undefined : decode(current[0]);
}
