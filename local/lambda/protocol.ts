/** Messages between the Lambda runner and an execution environment (worker thread). */

export interface InvokeContextData {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** Epoch ms at which the invocation times out. */
  readonly deadline: number;
}

export interface WorkerInit {
  /** Absolute file URL of the handler module. */
  readonly handlerUrl: string;
  /** Exported name of the handler function. @default "handler" */
  readonly exportName: string;
  /**
   * Node's on-disk compile cache for the bundle (`module.enableCompileCache`): a cold start then
   * skips compiling what an earlier one compiled (~40 % of its CPU). Absent: no cache.
   */
  readonly compileCacheDir?: string;
  /**
   * The function's NODE_OPTIONS when they ask for `--enable-source-maps`: the thread starts
   * without the flag and maps stacks itself when one is first formatted (local/lambda/stack-maps.ts),
   * and the function sees its variable as it was set. Absent: stacks as V8 writes them.
   */
  readonly nodeOptions?: string;
}

export type ToWorker = {
  readonly type: "invoke";
  readonly id: number;
  readonly event: unknown;
  readonly context: InvokeContextData;
  /** The invocation's X-Ray trace header: `_X_AMZN_TRACE_ID` while it runs, as Lambda sets it. */
  readonly traceHeader?: string;
};

export type FromWorker =
  | {
      readonly type: "ready";
      /** CPU time the thread spent loading the handler module, ms (absent before Node 23.9). */
      readonly initCpuMs?: number;
    }
  | { readonly type: "init-error"; readonly error: string }
  | { readonly type: "result"; readonly id: number; readonly result: unknown }
  | { readonly type: "error"; readonly id: number; readonly error: string };
