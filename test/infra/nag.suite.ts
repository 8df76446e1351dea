/**
 * cdk-nag (v3, AwsSolutions pack) runs as a validation plugin of the app: zero unsuppressed
 * findings (errors or warnings), every acknowledgement carries a reason and sits on the
 * smallest construct, and the checks really bite (an insecure queue, or a wildcard grant on a
 * function role, fails synthesis).
 */
import { Validations } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { createCityApp } from "../../infra/city-app.ts";
import type { SynthesizedStack } from "../../infra/testing.ts";
import { topology } from "../../infra/topology.ts";
import { defaultStack } from "./shared-stack.ts";

export function describeNag(): void {
  describe("cdk-nag", () => {
    let synthesized: SynthesizedStack;

    beforeAll(() => {
      // The shared stack is synthesized with the plugin registered: it throws on any finding.
      synthesized = defaultStack();
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
        const acks: Array<[string, string, string]> = [];
        for (const c of walk(synthesized.app)) {
          for (const m of c.node.metadata) {
            if (m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) {
              for (const [id, reason] of Object.entries(m.data as Record<string, string>)) {
                acks.push([id, reason, c.node.path]);
              }
            }
          }
        }
        expect(acks.length).toBeGreaterThan(0);
        for (const [id, reason] of acks) {
          expect(id).toMatch(/AwsSolutions-[A-Z]+\d+/);
          expect(reason.length, id).toBeGreaterThan(40);
        }
        // X-Ray's Resource * is acknowledged on each function's tracing policy only, never on a
        // role (which would cover every grant the role ever gets).
        const xray = acks.filter(([id]) => id.endsWith("AwsSolutions-IAM5[Resource::*]"));
        expect(xray.map(([, , path]) => path).sort()).toEqual(
          [...topology.functions.map((f) => f.id), "CityApi"]
            .map((id) => `BuzzVille-dev/${id}/TracingPolicy`)
            .sort(),
        );
      });

      it("fails synthesis when a resource breaks a rule (the plugin is really registered)", () => {
        const { app, stack } = createCityApp({ context: { bundle: false }, env: {} });
        new sqs.Queue(stack, "Insecure", { encryption: sqs.QueueEncryption.UNENCRYPTED });
        // A wildcard grant on a function role is not covered by the X-Ray acknowledgement.
        stack.functions
          .get("Emergency")
          ?.function.addToRolePolicy(
            new iam.PolicyStatement({ actions: ["s3:GetObject"], resources: ["*"] }),
          );
        expect(() => app.synth()).toThrow(/AwsSolutions-SQS2/);
        const violations = new AwsSolutionsChecks().validateScope(app).violations;
        expect(violations.map((v) => v.ruleName)).toEqual(
          expect.arrayContaining(["AwsSolutions-SQS2", "AwsSolutions-SQS3", "AwsSolutions-SQS4"]),
        );
        const wildcard = violations.filter((v) => v.ruleName === "AwsSolutions-IAM5[Resource::*]");
        expect(wildcard.flatMap((v) => v.violatingResources.map((r) => r.constructPath))).toEqual([
          "BuzzVille-dev/Emergency/Role/DefaultPolicy/Resource",
        ]);
      });
    });
  });
}
