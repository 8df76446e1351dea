/** Event store: appends every city event to its stream (docs/ARCHITECTURE.md, "Data"). */
import { cityHandler, lazy } from "../shared/kit.ts";
import { buildRuntime, SERVICE } from "./runtime.ts";

export const handler = cityHandler(SERVICE, lazy(buildRuntime));
