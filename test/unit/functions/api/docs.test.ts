import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROUTES } from "../../../../functions/api/app.ts";

const root = join(import.meta.dirname, "../../../..");
const openapi = JSON.parse(readFileSync(join(root, "docs/api/openapi.json"), "utf8")) as {
  paths: Record<string, { get?: unknown }>;
};
const guide = readFileSync(join(root, "docs/API.md"), "utf8");

describe("the API's documents agree with its routes", () => {
  it("docs/api/openapi.json describes exactly the routes the handler serves (GET)", () => {
    expect(Object.keys(openapi.paths).sort()).toEqual(ROUTES.map((r) => r.path).sort());
    for (const [path, item] of Object.entries(openapi.paths)) expect(item.get, path).toBeDefined();
  });

  it("docs/API.md has a curl example of every route", () => {
    for (const route of ROUTES) {
      const prefix = route.path.split("{")[0] ?? route.path;
      const curl = new RegExp(`curl "\\$\\{API\\}${prefix.slice(1).replace(/[/.-]/g, "\\$&")}`);
      expect(guide, route.path).toMatch(curl);
    }
  });
});
