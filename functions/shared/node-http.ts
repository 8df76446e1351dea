/**
 * `node:http` for the bundles (infra/bundling.ts aliases every import of it here). Node's own
 * module has lazy getters (`WebSocket`, `CloseEvent`, `MessageEvent`) that load its fetch and
 * WebSocket implementation, undici; an ESM `import` of a built-in reads every export, so the
 * AWS SDK's import of `node:http` loaded undici in every execution environment, which never
 * uses it: about 2.5 MB of heap each (docs/BENCHMARKS.md "Memory profile"). The module itself is
 * taken without an import; its other exports are re-exported as they are.
 */
const http = process.getBuiltinModule("node:http");

export const {
  METHODS,
  STATUS_CODES,
  Agent,
  ClientRequest,
  IncomingMessage,
  OutgoingMessage,
  Server,
  ServerResponse,
  createServer,
  validateHeaderName,
  validateHeaderValue,
  get,
  request,
  setMaxIdleHTTPParsers,
  maxHeaderSize,
  globalAgent,
} = http;

export default http;
