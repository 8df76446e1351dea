/** Analytics: per-zone per-minute counts, traffic density, ReadingsAggregated. */
import { cityHandler, lazy } from "../shared/kit.ts";
import { buildRuntime, SERVICE } from "./runtime.ts";

export const handler = cityHandler(SERVICE, lazy(buildRuntime));
