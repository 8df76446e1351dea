/** EventBridge Pipes resources as the Pipes API describes them (the SQS -> SQS subset). */

export interface PipeDefinition {
  readonly Name: string;
  readonly Arn: string;
  readonly Source: string;
  readonly Target: string;
  readonly RoleArn?: string;
  readonly Description?: string;
  readonly DesiredState: "RUNNING" | "STOPPED";
  readonly SourceParameters?: {
    readonly SqsQueueParameters?: {
      readonly BatchSize?: number;
      readonly MaximumBatchingWindowInSeconds?: number;
    };
  };
  readonly TargetParameters?: {
    readonly InputTemplate?: string;
    readonly SqsQueueParameters?: {
      readonly MessageGroupId?: string;
      readonly MessageDeduplicationId?: string;
    };
  };
  readonly CreationTime: number;
  readonly LastModifiedTime: number;
}

export class PipeError extends Error {
  override readonly name: string = "PipeError";
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.status = status;
  }
}

/** A pipe's runner could not move messages (after retries); nothing is lost, see the message. */
export class PipeRunnerError extends Error {
  override readonly name: string = "PipeRunnerError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
