#!/usr/bin/env node
// The `buzzville` command: teach Node TypeScript (tsx), then run the CLI written in TypeScript.
// Once the command is done (its resources stopped), the process exits with its code at once.
import { register } from "tsx/esm/api";

register();
const { run } = await import("./cli.ts");
process.exit(await run(process.argv.slice(2)));
