/**
 * AWS SDK v3 clients without the logger middleware. A client built without a `logger` still gets
 * the SDK's no-op logger, which HAS an `info` method; so on every call the logger middleware walks
 * the command's input and output through their schemas to redact sensitive fields
 * (`schemaLogFilter`), for a log line that is then dropped. Removing the middleware removes that
 * work and nothing else (docs/BENCHMARKS.md "What an event costs"). A client given a real
 * `logger` keeps it: pass such a client to nothing here.
 */

/** The part of an SDK client this needs. */
interface WithMiddlewareStack {
  readonly middlewareStack: { remove(toRemove: string): boolean };
}

/** The SDK's own name for its logger middleware (@aws-sdk/core, `loggerMiddlewareOptions`). */
const LOGGER_MIDDLEWARE = "loggerMiddleware";

/** Removes the logger middleware from `client`'s stack; returns the client. */
export function withoutSdkLogging<C extends WithMiddlewareStack>(client: C): C {
  client.middlewareStack.remove(LOGGER_MIDDLEWARE);
  return client;
}
