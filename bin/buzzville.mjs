#!/usr/bin/env node
// The `buzzville` command: teach Node TypeScript (tsx), then run the CLI written in TypeScript.
import { register } from "tsx/esm/api";

register();
const { run } = await import("./cli.ts");
process.exitCode = await run(process.argv.slice(2));
