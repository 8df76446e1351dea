/**
 * `npm run schemas`: writes events/schemas/<Type>.json (full EventBridge event, JSON Schema
 * draft-04) and regenerates docs/EVENTS.md from the catalog. Stale schema files are removed.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EVENTS_DOC, renderEventsDoc, renderJsonSchemas, SCHEMAS_DIR } from "./schema-docs.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const schemas = renderJsonSchemas();
mkdirSync(join(root, SCHEMAS_DIR), { recursive: true });
const wanted = new Set([...schemas.keys()].map((p) => p.slice(SCHEMAS_DIR.length + 1)));
for (const file of readdirSync(join(root, SCHEMAS_DIR))) {
  if (file.endsWith(".json") && !wanted.has(file)) rmSync(join(root, SCHEMAS_DIR, file));
}
for (const [path, content] of schemas) writeFileSync(join(root, path), content);
mkdirSync(join(root, dirname(EVENTS_DOC)), { recursive: true });
writeFileSync(join(root, EVENTS_DOC), renderEventsDoc());
console.log(`wrote ${schemas.size} schemas to ${SCHEMAS_DIR}/ and ${EVENTS_DOC}`);
