import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const tsconfig = JSON.parse(
  readFileSync(new URL("../../../tsconfig.json", import.meta.url), "utf8"),
) as { compilerOptions: Record<string, unknown> };

describe("toolchain", () => {
  it("runs the tests on the project's own Node (22 or later), not the system Node 20", () => {
    const major = Number(process.versions.node.split(".")[0]);
    expect(major).toBeGreaterThanOrEqual(22);
  });

  it("pins the project's Node through the npm registry", () => {
    expect(pkg.devDependencies.node).toMatch(/^2[2-9]\.\d+\.\d+$/);
  });

  it("pins every dependency to an exact version", () => {
    const all = { ...pkg.dependencies, ...pkg.devDependencies };
    const loose = Object.entries(all).filter(([, v]) => !/^\d+\.\d+\.\d+$/.test(v));
    expect(loose).toEqual([]);
  });

  it("has the scripts the README and CI rely on", () => {
    for (const script of ["start", "test", "typecheck", "lint", "synth", "bench", "schemas"]) {
      expect(pkg.scripts[script], `script ${script}`).toBeTypeOf("string");
    }
  });

  it("compiles strictly, with unchecked index access caught", () => {
    expect(tsconfig.compilerOptions.strict).toBe(true);
    expect(tsconfig.compilerOptions.noUncheckedIndexedAccess).toBe(true);
  });
});
