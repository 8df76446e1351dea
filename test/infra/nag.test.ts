/**
 * cdk-nag (v3, AwsSolutions pack) runs as a validation plugin of the app: zero unsuppressed
 * findings (errors or warnings), every acknowledgement carries a reason, and the checks really
 * bite (an insecure queue fails synthesis).
 */
import { Validations } from "aws-cdk-lib";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { createCityApp } from "../../infra/city-app.ts";
import { type SynthesizedStack, synthStack } from "../../infra/testing.ts";

let synthesized: SynthesizedStack;

beforeAll(() => {
  // nag: true registers the plugin; synthesis throws if it reports anything.
  synthesized = synthStack({ nag: true });
});

function* walk(c: IConstruct): Generator<IConstruct> {
  yield c;
  for (const child of c.node.children) yield* walk(child);
}

describe("cdk-nag AwsSolutions", () => {
  it("reports zero unsuppressed errors or warnings", () => {
    const report = new AwsSolutionsChecks().validateScope(synthesized.app);
    const findings = report.violations.map(
      (v) =>
        `${v.ruleName} (${v.severity}) at ${v.violatingResources.map((r) => r.constructPath).join(", ")}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it("every acknowledgement is specific and says why", () => {
    const acks: Array<[string, string]> = [];
    for (const c of walk(synthesized.app)) {
      for (const m of c.node.metadata) {
        if (m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) {
          for (const [id, reason] of Object.entries(m.data as Record<string, string>)) {
            acks.push([id, reason]);
          }
        }
      }
    }
    expect(acks.length).toBeGreaterThan(0);
    for (const [id, reason] of acks) {
      expect(id).toMatch(/AwsSolutions-[A-Z]+\d+/);
      expect(reason.length, id).toBeGreaterThan(40);
    }
  });

  it("fails synthesis when a resource breaks a rule (the plugin is really registered)", () => {
    const { app, stack } = createCityApp({ context: { bundle: false }, env: {} });
    new sqs.Queue(stack, "Insecure", { encryption: sqs.QueueEncryption.UNENCRYPTED });
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS2/);
    const rules = new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName);
    expect(rules).toEqual(
      expect.arrayContaining(["AwsSolutions-SQS2", "AwsSolutions-SQS3", "AwsSolutions-SQS4"]),
    );
  });
});
