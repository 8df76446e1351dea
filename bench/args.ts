/** Command-line flags of `npm run bench`. */
import { parseArgs } from "node:util";
import { BenchUsageError } from "./errors.ts";

export const usage = (
  names: readonly string[],
): string => `Usage: npm run bench -- [--json] [--quick] [--only NAME[,NAME...]] [--no-write | --write] [--out FILE]
  (default)    the city end to end (ramp, burst, isolation, emulators' ceiling), ~3-4 minutes
  --json       print the city result as ONE JSON object on stdout (progress stays on stderr)
  --quick      short smoke run (short budgets); prints only unless --write
  --only NAME  run these benchmarks instead (${names.join(", ")})
  --no-write   do not touch the report file
  --write      write the report even in --quick mode
  --out FILE   report file (default docs/BENCHMARKS.md)
`;

export interface RunOptions {
  readonly quick: boolean;
  readonly only: readonly string[];
  readonly write: boolean;
  readonly out: string;
  readonly json: boolean;
}

export function parseRunArgs(
  argv: readonly string[],
  known: readonly string[],
): RunOptions | "help" {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        quick: { type: "boolean" },
        only: { type: "string", multiple: true },
        write: { type: "boolean" },
        "no-write": { type: "boolean" },
        out: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new BenchUsageError(`${(error as Error).message}\n${usage(known)}`, { cause: error });
  }
  if (values.help) return "help";
  const only = ((values.only as string[] | undefined) ?? []).flatMap((v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
  for (const name of only) {
    if (!known.includes(name)) {
      throw new BenchUsageError(
        `--only ${JSON.stringify(name)} names no benchmark; allowed: ${known.join(", ")}`,
      );
    }
  }
  if (values.write && values["no-write"]) {
    throw new BenchUsageError("--write and --no-write contradict each other; give one");
  }
  const quick = values.quick === true;
  return {
    quick,
    only,
    write: values["no-write"] ? false : values.write === true || !quick,
    out: (values.out as string | undefined) ?? "docs/BENCHMARKS.md",
    json: values.json === true,
  };
}
