/** Errors of `buzzville up` (the run, its accounting and its inspection of the resources). */
export class LocalRunError extends Error {
  override readonly name: string = "LocalRunError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
