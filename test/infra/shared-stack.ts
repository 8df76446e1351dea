/**
 * The default-configuration stack, synthesized once per test file on first use (bundling off,
 * cdk-nag on: synthesis throws on any unsuppressed finding). Vitest gives every test file its own
 * module graph, and the first synthesis in a graph pays for loading most of aws-cdk-lib, so the
 * assertions on this stack live in `*.suite.ts` modules run by one file, synth.test.ts.
 */
import { Template } from "aws-cdk-lib/assertions";
import { type SynthesizedStack, synthStack } from "../../infra/testing.ts";

let cached: SynthesizedStack | undefined;
let template: Template | undefined;

export function defaultStack(): SynthesizedStack {
  cached ??= synthStack({ nag: true });
  return cached;
}

/** The default stack's template, for `aws-cdk-lib/assertions`. */
export function defaultTemplate(): Template {
  template ??= Template.fromJSON(defaultStack().template);
  return template;
}
