/**
 * Inside an execution environment: imports the function's bundle once (cold start), then runs one
 * invocation at a time with a Lambda-like context, answering with the result or the error. The
 * host starts this module from its own bundle (local/bundles.ts): no TypeScript at run time.
 */
import nodeModule from "node:module";
import { fileURLToPath } from "node:url";
import { parentPort, workerData } from "node:worker_threads";
import type { Context } from "aws-lambda";
import type { FromWorker, InvokeContextData, ToWorker, WorkerInit } from "./protocol.ts";
import { installLazySourceMaps } from "./stack-maps.ts";

type Handler = (event: unknown, context: Context) => unknown;

function contextOf(data: InvokeContextData): Context {
  const unsupported = () => {
    throw new Error("Callback-style context.done/fail/succeed is not supported: return a value");
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: data.functionName,
    functionVersion: data.functionVersion,
    invokedFunctionArn: data.invokedFunctionArn,
    memoryLimitInMB: data.memoryLimitInMB,
    awsRequestId: data.awsRequestId,
    logGroupName: data.logGroupName,
    logStreamName: data.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, data.deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

const describe = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

async function main() {
  const port = parentPort;
  if (!port) throw new Error("worker.ts must run in a worker thread");
  const post = (message: FromWorker) => port.postMessage(message);
  const init = workerData as WorkerInit;
  // process.threadCpuUsage arrived in Node 23.9.
  const cpu = typeof process.threadCpuUsage === "function" ? process.threadCpuUsage() : undefined;
  let handler: Handler;
  // module.enableCompileCache arrived in Node 22.1; an older Node loads without the cache.
  if (init.compileCacheDir) nodeModule.enableCompileCache?.(init.compileCacheDir);
  if (init.nodeOptions !== undefined) {
    process.env.NODE_OPTIONS = init.nodeOptions;
    installLazySourceMaps(fileURLToPath(init.handlerUrl));
  }
  try {
    const mod = (await import(init.handlerUrl)) as Record<string, unknown>;
    const exported = mod[init.exportName];
    if (typeof exported !== "function") {
      throw new Error(
        `${init.handlerUrl} does not export a function named "${init.exportName}" (exports: ${Object.keys(mod).join(", ") || "none"})`,
      );
    }
    handler = exported as Handler;
    // Written now, not at the thread's exit: the next cold start (another environment) uses it.
    if (init.compileCacheDir) nodeModule.flushCompileCache?.();
  } catch (error) {
    post({ type: "init-error", error: describe(error) });
    return;
  }
  port.on("message", async (message: ToWorker) => {
    // One invocation at a time per environment: the variable is this invocation's, as on Lambda.
    if (message.traceHeader) process.env._X_AMZN_TRACE_ID = message.traceHeader;
    else delete process.env._X_AMZN_TRACE_ID;
    try {
      const result = await handler(message.event, contextOf(message.context));
      post({ type: "result", id: message.id, result: result ?? null });
    } catch (error) {
      post({ type: "error", id: message.id, error: describe(error) });
    }
  });
  const used = cpu ? process.threadCpuUsage(cpu) : undefined;
  post({ type: "ready", ...(used ? { initCpuMs: (used.user + used.system) / 1000 } : {}) });
}

void main();
