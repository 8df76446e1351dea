/** Citizen notification: one SNS publish per zone, CitizensNotified with counts. */
import { cityHandler, lazy } from "../shared/kit.ts";
import { buildRuntime, SERVICE } from "./runtime.ts";

export const handler = cityHandler(SERVICE, lazy(buildRuntime));
