export { compilePattern, compilePatternValue } from "./compile.ts";
export {
  type FlattenedEvent,
  flattenEvent,
  matchesFlattened,
  matchesPattern,
  matchValue,
} from "./match.ts";
export type { CompiledPattern, LeafValue, Matcher, PatternBranch } from "./types.ts";
