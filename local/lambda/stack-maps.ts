/**
 * Source-mapped stack traces in an execution environment, the map read when a stack is first
 * formatted (docs/LOCAL.md "Functions (the Lambda runner)"). Node's `--enable-source-maps` (the
 * functions' NODE_OPTIONS, as on Lambda) parses the bundle's map when the bundle loads: about 3 MB
 * of heap in every environment, though one formats a stack only on an error path (with tracing on,
 * a failed AWS call's stack is read, and that environment then holds the map). Frames in the
 * bundle then name the TypeScript source, line and column, as with the flag; other frames are left
 * as V8 wrote them.
 */
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The map of `bundleFile` (its `.map` beside it), or null when there is none to read. */
function mapOf(bundleFile: string): SourceMap | null {
  try {
    return new SourceMap(JSON.parse(readFileSync(`${bundleFile}.map`, "utf8")));
  } catch {
    return null;
  }
}

/** The frame as V8 writes it, its position in the bundle replaced by the source's. */
function mappedFrame(site: NodeJS.CallSite, bundle: string, map: () => SourceMap | null): string {
  const text = site.toString();
  const file = site.getFileName();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (file !== bundle || line === null || column === null) return text;
  const entry = map()?.findEntry(line - 1, column - 1);
  if (!entry || !("originalSource" in entry)) return text;
  let source: string;
  try {
    source = fileURLToPath(new URL(entry.originalSource, bundle));
  } catch {
    source = entry.originalSource; // not a file (another scheme): named as the map names it
  }
  const at = `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  return text.replace(`${file}:${line}:${column}`, at);
}

/** The first line of a stack: what V8 writes (`Name: message`). */
function headerOf(error: unknown): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return "Error";
  }
}

/** Formats every stack of this thread with the bundle's positions mapped to its sources. */
export function installLazySourceMaps(bundleFile: string): void {
  const bundle = pathToFileURL(bundleFile).href;
  let loaded: SourceMap | null | undefined;
  const map = () => {
    if (loaded === undefined) loaded = mapOf(bundleFile);
    return loaded;
  };
  // Node's own formatter writes the first line (e.g. `RangeError [ERR_OUT_OF_RANGE]: ...` for
  // its errors); it is given each call site with its frame mapped.
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (error, sites) => {
    const mapped = sites.map((site) => withFrame(site, mappedFrame(site, bundle, map)));
    if (previous) return previous(error, mapped);
    return headerOf(error) + mapped.map((site) => `\n    at ${site}`).join("");
  };
}

/** The call site, written as `frame`. */
function withFrame(site: NodeJS.CallSite, frame: string): NodeJS.CallSite {
  return new Proxy(site, {
    get: (target, key) => {
      if (key === "toString") return () => frame;
      const value: unknown = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
