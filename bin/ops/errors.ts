/** Errors of the operator commands (`buzzville dlq|replay|stream`). */
export class OpsError extends Error {
  override readonly name: string = "OpsError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Bad flags or arguments: the message names the flag, the rule and what is allowed. */
export class OpsUsageError extends OpsError {
  override readonly name: string = "OpsUsageError";
}

/** A resource could not be found at the endpoint (the message lists what was found). */
export class DiscoveryError extends OpsError {
  override readonly name: string = "DiscoveryError";
}
