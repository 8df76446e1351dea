/** The operator commands' I/O, injected so tests call `main(argv, io)` and read the output. */

import { str } from "./args.ts";
import type { Env } from "./aws.ts";
import { AwsClients, awsSettings } from "./aws.ts";
import { OpsError, OpsUsageError } from "./errors.ts";

export interface OpsIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** @default process.env */
  readonly env?: Env;
  /** Injected time and waiting (replay polling). @default Date.now / setTimeout */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export const defaultIo = (): OpsIo => process;

export function clientsFor(values: Readonly<Record<string, unknown>>, io: OpsIo): AwsClients {
  const endpoint = str(values.endpoint);
  const region = str(values.region);
  const profile = str(values.profile);
  return new AwsClients(
    awsSettings(
      {
        ...(endpoint ? { endpoint } : {}),
        ...(region ? { region } : {}),
        ...(profile ? { profile } : {}),
      },
      io.env ?? process.env,
    ),
  );
}

/** Name, message and causes (the stack only with BUZZVILLE_DEBUG=1). */
export function describeError(error: unknown, env: Env): string {
  if (!(error instanceof Error)) return String(error);
  if (env.BUZZVILLE_DEBUG === "1") return error.stack ?? error.message;
  let text = error instanceof OpsError ? error.message : `${error.name}: ${error.message}`;
  for (let cause = error.cause; cause instanceof Error; cause = cause.cause) {
    if (error instanceof OpsUsageError) break;
    text += `\n  caused by ${cause.name}: ${cause.message}`;
  }
  return text;
}

/**
 * Runs a command body: exit code 2 on a usage error (with a pointer to --help), 1 on any other
 * failure (an unknown queue, an unreachable endpoint, a FAILED replay), the body's code otherwise.
 */
export async function runCommand(
  command: string,
  io: OpsIo,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (error) {
    const env = io.env ?? process.env;
    io.stderr.write(`buzzville ${command}: ${describeError(error, env)}\n`);
    if (error instanceof OpsUsageError) {
      io.stderr.write(`(buzzville ${command} --help shows the flags)\n`);
      return 2;
    }
    return 1;
  }
}
