/**
 * The micro-benchmarks (`npm run bench -- --only NAME`), in the order they run and appear in
 * docs/BENCHMARKS.md. The default run is the city end to end (bench/city/).
 */
export const CITY = "city";

import { patternMatching } from "./pattern-matching.ts";
import { publishHttp } from "./publish-http.ts";
import type { Benchmark } from "./types.ts";
import { validation } from "./validation.ts";

export const BENCHMARKS: readonly Benchmark[] = [patternMatching, validation, publishHttp];
