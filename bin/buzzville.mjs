#!/usr/bin/env node
// The `buzzville` command: on the memory profile chosen (process-profile.mjs), teach Node
// TypeScript (tsx), then run the CLI written in TypeScript. Once the command is done (its
// resources stopped), the process exits with its code at once.
import { relaunchWithProfile } from "./process-profile.mjs";

relaunchWithProfile();
const { register } = await import("tsx/esm/api");
register();
const { run } = await import("./cli.ts");
process.exit(await run(process.argv.slice(2)));
