/**
 * The crisis controller on AWS: invoked by an EventBridge rule on the critical-backlog alarm's
 * state changes (infra/constructs/crisis-shedding.ts); ALARM sheds the info subscriptions, OK
 * restores them (docs/OPERATIONS.md, "Crisis mode").
 */
import { lazy } from "../shared/kit.ts";
import { handleAlarmChange } from "./alarm-handler.ts";
import { buildAwsCrisisController } from "./aws.ts";

export const handler = handleAlarmChange(lazy(buildAwsCrisisController));
