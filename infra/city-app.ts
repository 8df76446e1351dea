/**
 * Builds the CDK app: reads and validates the context, creates the Buzz Ville stack and registers
 * cdk-nag (AwsSolutions pack) as a validation plugin, so any unsuppressed finding fails `synth`.
 */
import { App, RemovalPolicy, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { type AppConfig, readAppConfig } from "./config.ts";
import { BuzzVilleStack } from "./stack.ts";

export interface CityAppOptions {
  /**
   * Context values (override cdk.json / `-c`), e.g. `{ stage: "prod", bundle: false }`.
   * @default - none
   */
  readonly context?: Readonly<Record<string, unknown>>;
  /**
   * Cloud assembly directory.
   * @default - CDK_OUTDIR when run by the cdk CLI, else a temporary directory
   */
  readonly outdir?: string;
  /**
   * Environment variables (CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION).
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Register the cdk-nag AwsSolutions checks.
   * @default true
   */
  readonly nag?: boolean;
}

export interface CityApp {
  readonly app: App;
  readonly stack: BuzzVilleStack;
  readonly config: AppConfig;
}

export function createCityApp(options: CityAppOptions = {}): CityApp {
  const app = new App({
    ...(options.context ? { context: { ...options.context } } : {}),
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const config = readAppConfig((key) => app.node.tryGetContext(key), options.env ?? process.env);
  const stack = new BuzzVilleStack(app, config.stackName, {
    description: `Buzz Ville city event backbone (${config.stage})`,
    ...(config.account || config.region
      ? { env: { account: config.account, region: config.region } }
      : {}),
    stage: config.stage,
    archiveRetentionDays: config.archiveRetentionDays,
    agencyAccountIds: config.agencyAccountIds,
    ...(config.removalPolicy
      ? {
          removalPolicy:
            config.removalPolicy === "retain" ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        }
      : {}),
    logRetentionDays: config.logRetentionDays,
    logLevel: config.logLevel,
    ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
    ...(config.reservedConcurrency !== undefined
      ? { reservedConcurrency: config.reservedConcurrency }
      : {}),
    bundle: config.bundle,
  });
  if (options.nag ?? true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  }
  return { app, stack, config };
}
