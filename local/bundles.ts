/**
 * esbuild bundles kept on disk, rebuilt only when an input changed. The local Lambda runner runs
 * the functions from the SAME bundles the CDK app deploys (options in infra/bundling.ts), and the
 * local cloud's own threads (the Lambda execution environment, the DynamoDB thread) start from
 * bundles of their TypeScript entries, so no thread transpiles TypeScript at start (docs/LOCAL.md
 * "Functions (the Lambda runner)").
 *
 * A bundle is keyed by its entry, the esbuild version and options; its manifest lists every input
 * esbuild read (from the metafile) with a digest of the file's content. A later run reuses the
 * bundle when every digest still matches, and builds it again otherwise.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildOptions, build, version as esbuildVersion } from "esbuild";
import { BUNDLE_FILE, BUNDLE_TARGET, CONSUMER_BUNDLE_OPTIONS } from "../infra/bundling.ts";

export class BundleError extends Error {
  override readonly name: string = "BundleError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface BundleCacheOptions {
  /** esbuild's working directory; entries and manifest paths are relative to it. @default process.cwd() */
  readonly rootDir?: string;
  /** Where bundles and manifests live. @default `<rootDir>/node_modules/.cache/buzzville/bundles` */
  readonly cacheDir?: string;
}

export interface Bundle {
  /** Absolute path of the bundle's `index.mjs`. */
  readonly file: string;
  /** Taken from the cache (no esbuild run). */
  readonly reused: boolean;
}

interface Manifest {
  /** Directory (under the cache directory) holding the bundle. */
  readonly output: string;
  /** Input path (relative to the root) -> content digest; "" for an input that is not a file. */
  readonly inputs: Readonly<Record<string, string>>;
}

/** Files that change how esbuild reads the inputs without being inputs themselves. */
const CONFIG_INPUTS = ["tsconfig.json", "package.json"];

const digestOf = (data: string | Uint8Array) =>
  createHash("sha256").update(data).digest("base64url").slice(0, 22);

/** Builds each entry at most once per instance (one instance = one run of the local cloud). */
export class BundleCache {
  readonly rootDir: string;
  readonly cacheDir: string;
  readonly stats = { built: 0, reused: 0 };
  private readonly bundles = new Map<string, Promise<Bundle>>();
  private readonly digests = new Map<string, Promise<string>>();

  constructor(options: BundleCacheOptions = {}) {
    this.rootDir = resolve(options.rootDir ?? process.cwd());
    this.cacheDir = resolve(
      options.cacheDir ?? join(this.rootDir, "node_modules", ".cache", "buzzville", "bundles"),
    );
  }

  /**
   * The bundle of `entry` (absolute, or relative to the root) built with `options`, from the cache
   * when its inputs did not change. Rejects with a BundleError naming the entry when esbuild fails.
   */
  bundle(entry: string, options: BuildOptions = CONSUMER_BUNDLE_OPTIONS): Promise<Bundle> {
    const path = resolve(this.rootDir, entry);
    const key = this.keyOf(path, options);
    let pending = this.bundles.get(key);
    if (!pending) {
      pending = this.cachedOrBuilt(key, path, options);
      this.bundles.set(key, pending);
    }
    return pending;
  }

  private keyOf(path: string, options: BuildOptions): string {
    const name = relative(this.rootDir, path)
      .replace(/\.[cm]?[jt]s$/, "")
      .replace(/\W+/g, "-");
    const identity = JSON.stringify({ path, esbuildVersion, options });
    return `${name.slice(-60)}-${digestOf(identity).slice(0, 12)}`;
  }

  private async cachedOrBuilt(key: string, path: string, options: BuildOptions): Promise<Bundle> {
    const manifest = await this.readManifest(key);
    if (manifest && (await this.upToDate(manifest))) {
      this.stats.reused++;
      return { file: join(this.cacheDir, manifest.output, BUNDLE_FILE), reused: true };
    }
    const file = await this.build(key, path, options, manifest?.output);
    this.stats.built++;
    return { file, reused: false };
  }

  private async readManifest(key: string): Promise<Manifest | undefined> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.manifestPath(key), "utf8"));
      if (typeof parsed !== "object" || parsed === null) return undefined;
      const { output, inputs } = parsed as Partial<Manifest>;
      if (typeof output !== "string" || typeof inputs !== "object" || inputs === null) return;
      return { output, inputs };
    } catch {
      return undefined; // none yet, or unreadable: build again
    }
  }

  private async upToDate(manifest: Manifest): Promise<boolean> {
    const bundle = join(this.cacheDir, manifest.output, BUNDLE_FILE);
    if (
      !(await stat(bundle).then(
        (s) => s.isFile(),
        () => false,
      ))
    )
      return false;
    const checks = Object.entries(manifest.inputs).map(
      async ([input, digest]) => (await this.digest(input)) === digest,
    );
    return (await Promise.all(checks)).every(Boolean);
  }

  /** Content digest of a root-relative input, "" when it is not a readable file. */
  private digest(input: string): Promise<string> {
    let pending = this.digests.get(input);
    if (!pending) {
      pending = readFile(resolve(this.rootDir, input)).then(digestOf, () => "");
      this.digests.set(input, pending);
    }
    return pending;
  }

  private async build(
    key: string,
    path: string,
    options: BuildOptions,
    previous: string | undefined,
  ): Promise<string> {
    const result = await build({
      ...options,
      entryPoints: [path],
      absWorkingDir: this.rootDir,
      // Same depth as the final directory, so the source map's relative paths stay right.
      outfile: join(this.cacheDir, key, BUNDLE_FILE),
      write: false,
      metafile: true,
      logLevel: "silent",
    }).catch((cause: unknown) => {
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new BundleError(`esbuild could not bundle ${path}: ${message}`, { cause });
    });
    const code = result.outputFiles.find((f) => basename(f.path) === BUNDLE_FILE);
    if (!code) throw new BundleError(`esbuild wrote no ${BUNDLE_FILE} for ${path}`);
    const output = `${key}-${digestOf(code.contents).slice(0, 12)}`;
    await this.writeOutput(output, result.outputFiles);
    const inputs: Record<string, string> = {};
    const names = [...Object.keys(result.metafile.inputs), ...CONFIG_INPUTS];
    await Promise.all(
      names.map(async (input) => {
        inputs[input] = await this.digest(input);
      }),
    );
    await this.writeAtomically(this.manifestPath(key), JSON.stringify({ output, inputs }));
    // The replaced bundle; a run still using it loaded it already (best effort).
    if (previous && previous !== output) {
      await rm(join(this.cacheDir, previous), { recursive: true, force: true });
    }
    return join(this.cacheDir, output, BUNDLE_FILE);
  }

  /** Writes the files into a fresh directory, then renames it into place (another run may race). */
  private async writeOutput(
    output: string,
    files: readonly { readonly path: string; readonly contents: Uint8Array }[],
  ): Promise<void> {
    const final = join(this.cacheDir, output);
    const staging = `${final}.tmp-${randomUUID()}`;
    await mkdir(staging, { recursive: true });
    await Promise.all(files.map((f) => writeFile(join(staging, basename(f.path)), f.contents)));
    try {
      await rename(staging, final);
    } catch (error) {
      // Same name, same content: a concurrent run wrote it first.
      await rm(staging, { recursive: true, force: true });
      if (
        !(await stat(join(final, BUNDLE_FILE)).then(
          () => true,
          () => false,
        ))
      )
        throw error;
    }
  }

  private async writeAtomically(file: string, text: string): Promise<void> {
    const staging = `${file}.tmp-${randomUUID()}`;
    await writeFile(staging, text);
    await rename(staging, file);
  }

  private manifestPath(key: string): string {
    return join(this.cacheDir, `${key}.json`);
  }
}

/** esbuild options of the local cloud's own thread entries (our code only: no banner, unminified). */
const THREAD_BUNDLE_OPTIONS = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: BUNDLE_TARGET,
  sourcemap: true,
} as const satisfies BuildOptions;

let ownThreads: BundleCache | undefined;

/**
 * The bundle of one of the local cloud's own thread entries (a TypeScript module beside the
 * caller), built or found once per process, in the repository's cache.
 */
export function threadBundle(entry: URL): Promise<Bundle> {
  ownThreads ??= new BundleCache({ rootDir: fileURLToPath(new URL("..", import.meta.url)) });
  return ownThreads.bundle(fileURLToPath(entry), THREAD_BUNDLE_OPTIONS);
}
