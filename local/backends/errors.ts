/** Base class for failures of the local cloud's embedded backends (fauxqs, dynalite). */
export class LocalBackendError extends Error {
  override readonly name: string = "LocalBackendError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
