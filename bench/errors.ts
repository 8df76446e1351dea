/** Errors of the benchmark runner: one base class, the offending value in the message. */
export class BenchError extends Error {
  override readonly name: string = "BenchError";
}

/** A command-line flag the runner does not accept, or a bad value for one. */
export class BenchUsageError extends BenchError {
  override readonly name = "BenchUsageError";
}

/** A benchmark's own sanity check failed (e.g. an event was not delivered): its numbers are void. */
export class BenchCheckError extends BenchError {
  override readonly name = "BenchCheckError";
}
