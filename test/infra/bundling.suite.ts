/**
 * The one test that bundles for real: a consumer built by the local esbuild (no Docker) into an
 * ESM `index.mjs` that starts with the createRequire banner, for ARM64 on Node 24.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  bundlingOptions,
  ConsumerFunction,
  ESM_REQUIRE_BANNER,
} from "../../infra/constructs/consumer-function.ts";
import { PROJECT_ROOT } from "../../infra/stack.ts";
import { topology } from "../../infra/topology.ts";
import { type Json, resourceOf } from "./template-helpers.ts";

export function describeBundling(): void {
  describe("real bundling", () => {
    const spec = topology.functions.find((f) => f.id === "Traffic");
    let fnProps: Json;
    let bundleDir: string;

    beforeAll(() => {
      if (!spec) throw new Error("topology has no Traffic function");
      // Asset metadata (where the bundle went) is on by default only under the cdk CLI.
      const app = new App({ context: { "aws:cdk:enable-asset-metadata": true } });
      const stack = new Stack(app, "BundlingProbe");
      new ConsumerFunction(stack, "Traffic", {
        spec,
        projectRoot: PROJECT_ROOT,
        resourceEnvironment: {},
      });
      const assembly = app.synth();
      const template = Template.fromJSON(assembly.getStackByName("BundlingProbe").template);
      const fn = resourceOf(template, "AWS::Lambda::Function", "TrafficFunction");
      fnProps = fn.Properties;
      bundleDir = path.join(assembly.directory, fn.Metadata["aws:asset:path"]);
    });

    describe("consumer bundling", () => {
      it("emits index.mjs starting with the createRequire banner, exporting the handler", () => {
        const file = path.join(bundleDir, "index.mjs");
        expect(existsSync(file)).toBe(true);
        expect(existsSync(path.join(bundleDir, "index.js"))).toBe(false);
        const code = readFileSync(file, "utf8");
        expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
        expect(code).toMatch(/export\s*\{[^}]*as handler\s*\}|export\s*\{\s*handler\b/);
        // node:http taken without an ESM import, which would load undici (functions/shared/node-http.ts).
        expect(code).not.toMatch(/from\s*"(node:)?http"|import\(\s*"(node:)?http"\s*\)/);
        expect(code).toContain('process.getBuiltinModule("node:http")');
      });

      it("deploys it as index.handler on ARM64 Node 24 with X-Ray active", () => {
        expect(fnProps.Handler).toBe("index.handler");
        expect(fnProps.Runtime).toBe("nodejs24.x");
        expect(fnProps.Architectures).toEqual(["arm64"]);
        expect(fnProps.TracingConfig).toEqual({ Mode: "Active" });
      });

      it("bundles locally as ESM for node24 with the banner and source maps", () => {
        const options = bundlingOptions();
        expect(options.format).toBe(nodejs.OutputFormat.ESM);
        expect(options.forceDockerBundling).toBe(false);
        expect(options.banner).toBe(
          "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
        );
        expect(options.target).toBe("node24");
        expect(options.sourceMap).toBe(true);
        expect(options.sourcesContent).toBe(false);
        const mapFile = path.join(bundleDir, "index.mjs.map");
        expect(existsSync(mapFile)).toBe(true);
        // Mappings to the TypeScript sources, without their text.
        const map = JSON.parse(readFileSync(mapFile, "utf8")) as {
          sources: string[];
          sourcesContent?: unknown;
        };
        expect(map.sources.some((s) => s.endsWith(".ts"))).toBe(true);
        expect(map.sourcesContent).toBeUndefined();
      });
    });
  });
}
