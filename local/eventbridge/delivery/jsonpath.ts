/**
 * The JSONPath subset EventBridge evaluates: `$`, dot notation (names with letters, digits,
 * `-`, `_`, `/`), array indices `[0]`, quoted brackets `['a b']` and the `*` wildcard.
 */
export type PathStep =
  | { readonly key: string }
  | { readonly index: number }
  | { readonly wildcard: true };

const STEP = /^(?:\.([A-Za-z0-9_\-/$@:]+)|\.\*|\[(\d+)\]|\['([^']*)'\]|\[\*\])/;

/** Whether the path uses quoted bracket notation (`$['a']`), which InputPathsMap forbids. */
export const usesBracketNotation = (path: string): boolean => /\[\s*'/.test(path);

/** Parses a path; undefined when it is not a supported JSONPath. */
export function parseJsonPath(path: string): PathStep[] | undefined {
  if (!path.startsWith("$")) return undefined;
  const steps: PathStep[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const m = STEP.exec(rest);
    if (!m) return undefined;
    if (m[1] !== undefined) steps.push({ key: m[1] });
    else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
    else if (m[3] !== undefined) steps.push({ key: m[3] });
    else steps.push({ wildcard: true });
    rest = rest.slice(m[0].length);
  }
  return steps;
}

/** Evaluates a parsed path; undefined when nothing is there. Wildcards yield arrays. */
export function evaluateJsonPath(steps: readonly PathStep[], root: unknown): unknown {
  let current: unknown[] = [root];
  let multi = false;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (typeof value !== "object" || value === null) continue;
      if ("wildcard" in step) {
        multi = true;
        next.push(...(Array.isArray(value) ? value : Object.values(value)));
      } else if ("index" in step) {
        if (Array.isArray(value) && step.index < value.length) next.push(value[step.index]);
      } else if (!Array.isArray(value) && Object.hasOwn(value, step.key)) {
        next.push((value as Record<string, unknown>)[step.key]);
      }
    }
    current = next;
  }
  if (multi) return current.length > 0 ? current : undefined;
  return current[0];
}
