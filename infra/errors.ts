/**
 * Errors of the infrastructure area. Every message says what is wrong, why, and what is allowed,
 * and quotes the offending value.
 */
export class InfraError extends Error {
  override name = "InfraError";
}

/** A construct prop, stack prop or CDK context value failed validation. */
export class InfraConfigError extends InfraError {
  override name = "InfraConfigError";
  /** Where the bad value came from, e.g. `BuzzVille/CityBus: archiveRetentionDays` or `context "stage"`. */
  readonly field: string;

  constructor(field: string, message: string, options?: ErrorOptions) {
    super(`${field}: ${message}`, options);
    this.field = field;
  }
}

/** The topology declares something the AWS rendering cannot express. */
export class TopologyError extends InfraError {
  override name = "TopologyError";
}

/** JSON.stringify that never throws (for quoting bad values in messages). */
export function quote(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
