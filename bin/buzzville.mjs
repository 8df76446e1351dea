#!/usr/bin/env node
// The `buzzville` command: the commands that run the city (`up`, `local`) on the memory profile
// chosen (process-profile.mjs; the others would only pay a second start), then teach Node
// TypeScript (tsx) and run the CLI written in TypeScript. Once the command is done (its
// resources stopped), the process exits with its code at once.
import { relaunchWithProfile } from "./process-profile.mjs";

if (["up", "local"].includes(process.argv[2] ?? "")) relaunchWithProfile();
const { register } = await import("tsx/esm/api");
register();
const { run } = await import("./cli.ts");
process.exit(await run(process.argv.slice(2)));
