/** Small readers over a synthesized CloudFormation template (for the infra tests). */
import { expect } from "vitest";
import type { CfnTemplate } from "../../infra/testing.ts";

// why: CloudFormation JSON is arbitrary; tests index into it and assert on its shape.
// biome-ignore lint/suspicious/noExplicitAny: see above
export type Json = any;

export type CfnResource = CfnTemplate["Resources"][string] & {
  DependsOn?: string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: Record<string, unknown>;
};

/** The list, after asserting it is not empty (an assertion loop over it then cannot pass vacuously). */
export function nonEmpty<T>(list: readonly T[], what: string): readonly T[] {
  expect(list.length, `${what}: expected at least one`).toBeGreaterThan(0);
  return list;
}

export const getAtt = (logicalId: string, attr = "Arn") => ({ "Fn::GetAtt": [logicalId, attr] });
export const ref = (logicalId: string) => ({ Ref: logicalId });

/** Logical ids of every resource of `type`. */
export function idsOfType(t: CfnTemplate, type: string): string[] {
  return Object.entries(t.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id]) => id)
    .sort();
}

/** The resource with `logicalId`, asserting its type. */
export function resource(t: CfnTemplate, logicalId: string, type: string): CfnResource {
  const r = t.Resources[logicalId];
  if (!r) throw new Error(`template has no resource ${logicalId}`);
  if (r.Type !== type) throw new Error(`${logicalId} is a ${r.Type}, expected ${type}`);
  return r as CfnResource;
}

/** Properties of `logicalId`. */
export function props(t: CfnTemplate, logicalId: string, type: string): Json {
  return resource(t, logicalId, type).Properties ?? {};
}

/** Every IAM policy statement attached (via AWS::IAM::Policy) to the role `roleLogicalId`. */
export function statementsOfRole(t: CfnTemplate, roleLogicalId: string): Json[] {
  return Object.values(t.Resources)
    .filter((r) => r.Type === "AWS::IAM::Policy")
    .filter((r) => ((r.Properties as Json).Roles ?? []).some((x: Json) => x.Ref === roleLogicalId))
    .flatMap((r) => (r.Properties as Json).PolicyDocument.Statement);
}

/** The role logical id of a Lambda function. */
export function roleOfFunction(t: CfnTemplate, fnLogicalId: string): string {
  const role = props(t, fnLogicalId, "AWS::Lambda::Function").Role;
  return role["Fn::GetAtt"][0];
}

/** Actions of a statement as an array. */
export function actionsOf(statement: Json): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** Resources of a statement as an array. */
export function resourcesOf(statement: Json): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/**
 * The dashboard body as JSON: the Fn::Join parts with every token replaced by a readable
 * placeholder (`{Ref:X}` -> `<X>`, `{Fn::GetAtt:[X,Y]}` -> `<X.Y>`).
 */
export function dashboardBody(t: CfnTemplate, logicalId: string): Json {
  const body = props(t, logicalId, "AWS::CloudWatch::Dashboard").DashboardBody;
  const parts: unknown[] = typeof body === "string" ? [body] : body["Fn::Join"][1];
  const text = parts
    .map((p) => {
      if (typeof p === "string") return p;
      const token = p as { Ref?: string; "Fn::GetAtt"?: [string, string] };
      if (token.Ref) return `<${token.Ref}>`;
      if (token["Fn::GetAtt"]) return `<${token["Fn::GetAtt"].join(".")}>`;
      return "<token>";
    })
    .join("");
  return JSON.parse(text);
}
