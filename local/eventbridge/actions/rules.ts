/** PutRule, DescribeRule, ListRules, EnableRule, DisableRule, DeleteRule. */
import type { ActionHandler } from "../context.ts";
import { ValidationError } from "../errors.ts";
import { compilePattern } from "../patterns/index.ts";
import { EventBridgeStore, type RuleRecord } from "../store.ts";
import {
  checkName,
  constraintError,
  optionalString,
  paginate,
  RULE_NAME,
  requiredString,
} from "../validate.ts";

const STATES = new Set(["ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"]);

function describe(rule: RuleRecord): Record<string, unknown> {
  return {
    Name: rule.name,
    Arn: rule.arn,
    ...(rule.eventPattern === undefined ? {} : { EventPattern: rule.eventPattern }),
    ...(rule.scheduleExpression === undefined
      ? {}
      : { ScheduleExpression: rule.scheduleExpression }),
    State: rule.state,
    ...(rule.description === undefined ? {} : { Description: rule.description }),
    ...(rule.roleArn === undefined ? {} : { RoleArn: rule.roleArn }),
    EventBusName: rule.busName,
  };
}

const busOf = (input: Record<string, unknown>): string =>
  EventBridgeStore.busNameOf(optionalString(input, "EventBusName"));

export const putRule: ActionHandler = (input, { store }) => {
  const name = checkName(requiredString(input, "Name", "name"), RULE_NAME);
  const busName = busOf(input);
  const rules = store.rulesOf(busName);
  const eventPattern = optionalString(input, "EventPattern");
  const scheduleExpression = optionalString(input, "ScheduleExpression");
  if (eventPattern === undefined && scheduleExpression === undefined) {
    throw new ValidationError("Parameter(s) EventPattern or ScheduleExpression must be specified.");
  }
  if (scheduleExpression !== undefined && busName !== "default") {
    throw new ValidationError("ScheduleExpression is supported only on the default event bus.");
  }
  if (scheduleExpression !== undefined && !/^(rate|cron)\(.+\)$/.test(scheduleExpression)) {
    throw new ValidationError("Parameter ScheduleExpression is not valid.");
  }
  const state = optionalString(input, "State") ?? "ENABLED";
  if (!STATES.has(state)) {
    throw constraintError(
      state,
      "state",
      "Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]",
    );
  }
  const compiled = eventPattern === undefined ? undefined : compilePattern(eventPattern);
  const existing = rules.get(name);
  const rule: RuleRecord = {
    name,
    arn: store.ruleArn(busName, name),
    busName,
    state,
    createdBy: store.accountId,
    targets: existing?.targets ?? new Map(),
    ...(eventPattern === undefined ? {} : { eventPattern, compiled }),
    ...(scheduleExpression === undefined ? {} : { scheduleExpression }),
    ...(input.Description === undefined
      ? {}
      : { description: optionalString(input, "Description") }),
    ...(input.RoleArn === undefined ? {} : { roleArn: optionalString(input, "RoleArn") }),
  };
  rules.set(name, rule);
  return { RuleArn: rule.arn };
};

export const describeRule: ActionHandler = (input, { store }) => {
  const rule = store.requireRule(busOf(input), requiredString(input, "Name", "name"));
  return { ...describe(rule), CreatedBy: rule.createdBy };
};

export const listRules: ActionHandler = (input, { store }) => {
  const prefix = optionalString(input, "NamePrefix") ?? "";
  const rules = [...store.rulesOf(busOf(input)).values()]
    .filter((r) => r.name.startsWith(prefix))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(describe);
  const { page, nextToken } = paginate(rules, input);
  return { Rules: page, ...(nextToken ? { NextToken: nextToken } : {}) };
};

export const listRuleNamesByTarget: ActionHandler = (input, { store }) => {
  const targetArn = requiredString(input, "TargetArn", "targetArn");
  const names = [...store.rulesOf(busOf(input)).values()]
    .filter((r) => [...r.targets.values()].some((t) => t.Arn === targetArn))
    .map((r) => r.name)
    .sort();
  return { RuleNames: names };
};

const setState =
  (state: "ENABLED" | "DISABLED"): ActionHandler =>
  (input, { store }) => {
    store.requireRule(busOf(input), requiredString(input, "Name", "name")).state = state;
    return {};
  };

export const enableRule = setState("ENABLED");
export const disableRule = setState("DISABLED");

export const deleteRule: ActionHandler = (input, { store }) => {
  const name = requiredString(input, "Name", "name");
  const rules = store.rulesOf(busOf(input));
  const rule = rules.get(name);
  if (!rule) return {};
  if (rule.targets.size > 0)
    throw new ValidationError("Rule can't be deleted since it has targets.");
  rules.delete(name);
  return {};
};
