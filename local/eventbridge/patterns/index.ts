export { compilePattern, compilePatternValue } from "./compile.ts";
export { matchesPattern, matchValue } from "./match.ts";
export type { CompiledPattern, LeafValue, Matcher, PatternBranch } from "./types.ts";
