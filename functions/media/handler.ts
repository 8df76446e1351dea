/** Media: public-safe events become rate-limited, merged posts on the media topic. */
import { cityHandler, lazy } from "../shared/kit.ts";
import { buildRuntime, SERVICE } from "./runtime.ts";

export const handler = cityHandler(SERVICE, lazy(buildRuntime));
