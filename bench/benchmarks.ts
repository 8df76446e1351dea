/** Every benchmark, in the order they run and appear in docs/BENCHMARKS.md. */
import { endToEnd } from "./end-to-end.ts";
import { patternMatching } from "./pattern-matching.ts";
import { publishHttp } from "./publish-http.ts";
import type { Benchmark } from "./types.ts";
import { validation } from "./validation.ts";

export const BENCHMARKS: readonly Benchmark[] = [
  patternMatching,
  validation,
  publishHttp,
  endToEnd,
];
