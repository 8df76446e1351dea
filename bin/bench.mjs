#!/usr/bin/env node
// `npm run bench`: the benchmarks (bench/run.ts) on the memory profile chosen
// (BUZZVILLE_MEMORY_PROFILE, process-profile.mjs), as `buzzville up` runs the city.
import { relaunchWithProfile } from "./process-profile.mjs";

relaunchWithProfile();
const { register } = await import("tsx/esm/api");
register();
await import("../bench/run.ts");
