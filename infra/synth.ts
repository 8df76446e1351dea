/**
 * `npm run synth [-- -c key=value ...]`: runs the cdk CLI's synth fully offline (no version
 * check, no telemetry, no notices) and prints where the templates are. Extra arguments go to
 * `cdk synth` (e.g. `-c stage=prod`). The cdk-nag checks run during synthesis and fail it on any
 * unsuppressed finding.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "./stack.ts";

const OUTDIR = path.join(PROJECT_ROOT, "cdk.out");
const CDK_CLI = path.join(PROJECT_ROOT, "node_modules", "aws-cdk", "bin", "cdk");

interface Manifest {
  readonly artifacts?: Record<
    string,
    { readonly type: string; readonly properties?: { readonly templateFile?: string } }
  >;
}

function main(): number {
  if (!existsSync(CDK_CLI)) {
    process.stderr.write(`synth: the aws-cdk CLI is not installed at ${CDK_CLI}; run npm ci\n`);
    return 1;
  }
  const args = [
    CDK_CLI,
    "synth",
    "--no-notices",
    "-q",
    "--output",
    OUTDIR,
    ...process.argv.slice(2),
  ];
  const result = spawnSync(process.execPath, args, {
    cwd: PROJECT_ROOT,
    stdio: "inherit",
    env: {
      ...process.env,
      CDK_DISABLE_VERSION_CHECK: "true",
      CDK_DISABLE_CLI_TELEMETRY: "true",
      // cdk-nag reads deprecated L1 properties while checking (e.g. CfnEventBusPolicy#principal);
      // jsii would print a deprecation warning for each read. Override with JSII_DEPRECATED=warn.
      JSII_DEPRECATED: process.env.JSII_DEPRECATED ?? "quiet",
      // Child processes (`npx tsx infra/app.ts`) use the same Node as this script.
      PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`,
    },
  });
  if (result.error) {
    process.stderr.write(`synth: could not run the cdk CLI: ${result.error.message}\n`);
    return 1;
  }
  if (result.status !== 0) {
    process.stderr.write(`synth: cdk synth failed with exit code ${result.status}\n`);
    return result.status ?? 1;
  }
  const manifest = JSON.parse(readFileSync(path.join(OUTDIR, "manifest.json"), "utf8")) as Manifest;
  const templates = Object.entries(manifest.artifacts ?? {})
    .filter(([, a]) => a.type === "aws:cloudformation:stack" && a.properties?.templateFile)
    .map(([name, a]) => [name, path.join(OUTDIR, a.properties?.templateFile ?? "")] as const);
  for (const [name, file] of templates) {
    process.stdout.write(`Synthesized ${name}: ${path.relative(process.cwd(), file)}\n`);
  }
  return 0;
}

process.exitCode = main();
