/**
 * The esbuild options of every consumer bundle, in one place: CDK's NodejsFunction renders them
 * for the deployment (`bundlingOptions()` in infra/constructs/consumer-function.ts) and the local
 * Lambda runner builds the very same bundles with them (local/bundles.ts). Plain data:
 * reading them loads neither aws-cdk-lib nor esbuild.
 */
import { fileURLToPath } from "node:url";
import type { BuildOptions } from "esbuild";

/** ESM bundles need `require` for the CommonJS dependencies esbuild inlines. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module';const require = createRequire(import.meta.url);";

/** The deployed runtime's Node major (`nodejs24.x`), as an esbuild target. */
export const BUNDLE_TARGET = "node24";

/** What the bundles import for `node:http` (functions/shared/node-http.ts says why). */
export const NODE_HTTP_SHIM = fileURLToPath(
  new URL("../functions/shared/node-http.ts", import.meta.url),
);

/** File name of the bundle in its asset (`index.handler` on AWS). */
export const BUNDLE_FILE = "index.mjs";

/** esbuild's options for a consumer handler entry (what NodejsFunction passes to esbuild). */
export const CONSUMER_BUNDLE_OPTIONS = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: BUNDLE_TARGET,
  mainFields: ["module", "main"],
  banner: { js: ESM_REQUIRE_BANNER },
  minify: true,
  keepNames: true,
  sourcemap: true,
  // Stack traces need only the mappings (file:line of the TypeScript). Without the sources' text
  // a map is 1.8 MB instead of 4.7 MB, and every environment that loads it with
  // --enable-source-maps holds ~5 MB less and starts faster (docs/BENCHMARKS.md).
  sourcesContent: false,
  // Bundle the AWS SDK too: the versions we test with are the versions we ship.
  external: [],
  // `node:http` without loading undici (functions/shared/node-http.ts).
  alias: { http: NODE_HTTP_SHIM, "node:http": NODE_HTTP_SHIM },
} as const satisfies BuildOptions;
