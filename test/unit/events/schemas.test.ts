import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  allDefinitions,
  EVENT_TYPES,
  EVENTS_DOC,
  exampleEvent,
  jsonSchemaOf,
  parseCityEvent,
  renderEventsDoc,
  renderJsonSchemas,
  SCHEMAS_DIR,
} from "../../../events/index.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const STALE = "is out of date: run `npm run schemas` and commit the result";

describe("generated files are up to date (npm run schemas)", () => {
  it("events/schemas/<Type>.json, one per type and no others", () => {
    const rendered = renderJsonSchemas();
    expect([...rendered.keys()].sort()).toEqual(
      EVENT_TYPES.map((t) => `${SCHEMAS_DIR}/${t}.json`).sort(),
    );
    const onDisk = readdirSync(join(root, SCHEMAS_DIR)).filter((f) => f.endsWith(".json"));
    expect(onDisk.sort()).toEqual(EVENT_TYPES.map((t) => `${t}.json`).sort());
    for (const [path, content] of rendered) {
      expect(readFileSync(join(root, path), "utf8"), `${path} ${STALE}`).toBe(content);
    }
  });

  it("docs/EVENTS.md", () => {
    expect(existsSync(join(root, EVENTS_DOC))).toBe(true);
    expect(readFileSync(join(root, EVENTS_DOC), "utf8"), `${EVENTS_DOC} ${STALE}`).toBe(
      renderEventsDoc(),
    );
  });
});

describe("content", () => {
  it("each JSON Schema is the full EventBridge event with the type's source and detail", () => {
    for (const def of allDefinitions()) {
      const schema = jsonSchemaOf(def) as {
        properties: Record<
          string,
          { enum?: string[]; required?: string[]; additionalProperties?: boolean }
        >;
      };
      expect(schema.properties["detail-type"]?.enum).toEqual([def.type]);
      expect(schema.properties.source?.enum).toEqual([def.source]);
      expect(schema.properties.detail?.required).toContain("meta");
      expect(schema.properties.detail?.additionalProperties).toBe(false);
    }
  });

  it("every documented example is a valid city event, and the doc lists every type with its consumers", () => {
    const doc = renderEventsDoc();
    for (const def of allDefinitions()) {
      expect(parseCityEvent(exampleEvent(def)).detailType).toBe(def.type);
      expect(doc).toContain(`### ${def.type}\n`);
      expect(doc).toContain(`- **Consumers:** ${def.consumers.join(", ")}`);
      expect(doc).toContain(`- **Source:** \`${def.source}\``);
    }
  });
});
