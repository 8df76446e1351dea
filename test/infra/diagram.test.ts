import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { renderMermaid } from "../../infra/mermaid.ts";
import { ids } from "../../infra/resources.ts";
import { PROJECT_ROOT } from "../../infra/stack.ts";
import { topology } from "../../infra/topology.ts";

const graph = renderMermaid(topology);

describe("topology diagram", () => {
  it("draws every subscription's rule edge, its queues and its function", () => {
    for (const sub of topology.subscriptions) {
      expect(graph).toContain(`-->|"${sub.id}:`);
      expect(graph).toMatch(new RegExp(`${ids.queue(sub)}\\s*-->\\|"batch ${sub.batchSize},`));
      if (sub.ordering) {
        expect(graph).toContain(
          `${ids.intakeQueue(sub)} -->|"${ids.pipe(sub)}: group = ${sub.ordering.groupIdPath}"|`,
        );
      }
    }
    for (const fn of topology.functions) expect(graph).toContain(`${fn.id}Function{{`);
  });

  it("draws derived events back to the bus only for functions that use the bus", () => {
    for (const fn of topology.functions) {
      const edge = `${fn.id}Function -.->|derived events| CityBus`;
      if (fn.uses.includes("bus")) expect(graph).toContain(edge);
      else expect(graph).not.toContain(edge);
    }
  });

  it("docs/ARCHITECTURE.md holds the current diagram", () => {
    const doc = readFileSync(path.join(PROJECT_ROOT, "docs", "ARCHITECTURE.md"), "utf8");
    expect(doc).toContain(`\`\`\`mermaid\n${graph}\`\`\``);
  });
});
