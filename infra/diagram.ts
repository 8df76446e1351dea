/**
 * `npm run diagram`: prints the topology as a mermaid graph (the one in docs/ARCHITECTURE.md).
 * `npm run diagram -- --markdown` wraps it in a ```mermaid fence.
 */
import { renderMermaid } from "./mermaid.ts";
import { topology } from "./topology.ts";

const graph = renderMermaid(topology);
const markdown = process.argv.includes("--markdown");
process.stdout.write(markdown ? `\`\`\`mermaid\n${graph}\`\`\`\n` : graph);
