/** The city API (docs/API.md): API Gateway HTTP API → this one function, read-only. */
import { lazy } from "../shared/kit.ts";
import { observability } from "../shared/observability.ts";
import { apiHandler } from "./app.ts";
import { buildApiDeps, SERVICE } from "./runtime.ts";

export const handler = apiHandler(lazy(buildApiDeps), (error) =>
  observability(SERVICE).logger.error("city API request failed", { error }),
);
