/**
 * Test helpers: synthesize the Buzz Ville stack fast (bundling off: stub code, no esbuild; no
 * cdk-nag), environment-agnostic, fully offline. The local-cloud test compares its deployment
 * with `synthTemplate()`; infra tests use `synthStack()`.
 */
import type { App } from "aws-cdk-lib";
import { createCityApp } from "./city-app.ts";
import type { BuzzVilleStack } from "./stack.ts";

/** A CloudFormation template as JSON. */
export interface CfnTemplate {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

export interface SynthOptions {
  /**
   * CDK context (see infra/config.ts), e.g. `{ stage: "prod" }`. `bundle` is forced off unless given.
   * @default - none
   */
  readonly context?: Readonly<Record<string, unknown>>;
  /**
   * Run the cdk-nag checks during synthesis (throws on a finding).
   * @default false
   */
  readonly nag?: boolean;
}

export interface SynthesizedStack {
  readonly app: App;
  readonly stack: BuzzVilleStack;
  readonly template: CfnTemplate;
}

export function synthStack(options: SynthOptions = {}): SynthesizedStack {
  const { app, stack } = createCityApp({
    context: { bundle: false, ...options.context },
    env: {},
    nag: options.nag ?? false,
  });
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as CfnTemplate;
  return { app, stack, template };
}

/** The synthesized template of the default configuration (bundling off). */
export function synthTemplate(options: SynthOptions = {}): CfnTemplate {
  return synthStack(options).template;
}
