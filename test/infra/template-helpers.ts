/**
 * Small conveniences over `aws-cdk-lib/assertions` for the infra tests: every read of a template
 * goes through a `Template` (`findResources`, `hasResourceProperties`, `resourceCountIs`, `Match`);
 * these only name the lookups the suites share and normalize IAM statements.
 */
import { Match, type Template } from "aws-cdk-lib/assertions";
import { expect } from "vitest";

// why: CloudFormation JSON is arbitrary; tests index into it and assert on its shape.
// biome-ignore lint/suspicious/noExplicitAny: see above
export type Json = any;

/** The list, after asserting it is not empty (an assertion loop over it then cannot pass vacuously). */
export function nonEmpty<T>(list: readonly T[], what: string): readonly T[] {
  expect(list.length, `${what}: expected at least one`).toBeGreaterThan(0);
  return list;
}

export const getAtt = (logicalId: string, attr = "Arn") => ({ "Fn::GetAtt": [logicalId, attr] });
export const ref = (logicalId: string) => ({ Ref: logicalId });

/** Logical ids of every resource of `type`, sorted. */
export function idsOf(template: Template, type: string): string[] {
  return Object.keys(template.findResources(type)).sort();
}

/** The resource `logicalId` of `type` (its Type, Properties, DependsOn…); fails naming it when absent. */
export function resourceOf(template: Template, type: string, logicalId: string): Json {
  const found = template.findResources(type)[logicalId];
  expect(found, `${type} ${logicalId}`).toBeDefined();
  return found;
}

/** The Properties of the resource `logicalId` of `type`. */
export function propsOf(template: Template, type: string, logicalId: string): Json {
  return resourceOf(template, type, logicalId).Properties ?? {};
}

/** The policy statements of every resource of `type` whose `Properties` match `props`. */
export function statementsOf(template: Template, type: string, props: Json = {}): Json[] {
  return Object.values(template.findResources(type, { Properties: props })).flatMap(
    (r) => r.Properties.PolicyDocument.Statement,
  );
}

/** Every IAM policy statement attached (via AWS::IAM::Policy) to the role `roleLogicalId`. */
export function statementsOfRole(template: Template, roleLogicalId: string): Json[] {
  return statementsOf(template, "AWS::IAM::Policy", {
    Roles: Match.arrayWith([ref(roleLogicalId)]),
  });
}

/** The role logical id of a Lambda function. */
export function roleOfFunction(template: Template, fnLogicalId: string): string {
  return propsOf(template, "AWS::Lambda::Function", fnLogicalId).Role["Fn::GetAtt"][0];
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
export function dashboardBody(template: Template, logicalId: string): Json {
  const body = propsOf(template, "AWS::CloudWatch::Dashboard", logicalId).DashboardBody;
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
