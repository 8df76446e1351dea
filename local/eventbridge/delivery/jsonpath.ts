/**
 * The JSONPath of EventBridge targets (InputPath, the InputTransformer's InputPathsMap), over the
 * local cloud's one JSONPath (local/jsonpath.ts): the whole grammar, wildcards included, on the
 * event as it is. What differs from Pipes (local/pipes/jsonpath.ts): InputPathsMap takes dot
 * notation only (`usesBracketNotation`), and values are never JSON held in strings.
 */
import { evaluateSteps, type PathStep, parseSteps } from "../../jsonpath.ts";

export type { PathStep } from "../../jsonpath.ts";

/** Parses a path; undefined when it is not a supported JSONPath. */
export function parseJsonPath(path: string): PathStep[] | undefined {
  const steps = parseSteps(path);
  return Array.isArray(steps) ? steps : undefined;
}

/**
 * Whether the path uses quoted bracket notation (`$['a']`), which InputPathsMap forbids (AWS API
 * reference: "You must use JSON dot notation, not bracket notation").
 */
export const usesBracketNotation = (path: string): boolean =>
  parseJsonPath(path)?.some((step) => "key" in step && step.bracket === true) ?? false;

/** Evaluates a parsed path; undefined when nothing is there. Wildcards yield arrays. */
export function evaluateJsonPath(steps: readonly PathStep[], root: unknown): unknown {
  return evaluateSteps(steps, root);
}
