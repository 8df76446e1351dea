/** Traffic control: per-intersection light cycle, resequencing, emergency mode and reroutes. */
import { cityHandler, lazy } from "../shared/kit.ts";
import { buildRuntime, SERVICE } from "./runtime.ts";

export const handler = cityHandler(SERVICE, lazy(buildRuntime));
