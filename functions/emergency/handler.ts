/** Emergency dispatch: the incident saga for critical events. */
import { cityHandler, lazy } from "../shared/kit.ts";
import { buildRuntime, SERVICE } from "./runtime.ts";

export const handler = cityHandler(
  SERVICE,
  lazy(() => buildRuntime()),
);
