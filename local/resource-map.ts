/** What the local deployment created: logical id -> physical names, ARNs and URLs. */
import type { ExpectedEventSource, QueueRole } from "../infra/resources.ts";

export interface DeployedQueue {
  readonly logicalId: string;
  readonly role: QueueRole;
  readonly subscriptionId: string;
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly fifo: boolean;
  /** Logical id of the queue's DLQ (redrive after maxReceiveCount). */
  readonly deadLetterQueue?: string;
}

export interface DeployedFunction {
  readonly name: string;
  readonly functionId: string;
  readonly service: string;
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** RESOURCE_ENV variable -> physical name or ARN. */
  readonly resourceEnv: Readonly<Record<string, string>>;
}

export interface ResourceMap {
  readonly prefix: string;
  readonly region: string;
  readonly endpoint: string;
  readonly bus: { readonly name: string; readonly arn: string };
  readonly archive: { readonly name: string; readonly arn: string };
  readonly tables: Readonly<Record<string, { readonly name: string; readonly arn: string }>>;
  readonly topics: Readonly<Record<string, { readonly name: string; readonly arn: string }>>;
  readonly queues: Readonly<Record<string, DeployedQueue>>;
  readonly rules: Readonly<
    Record<
      string,
      {
        readonly name: string;
        readonly arn: string;
        readonly pattern: Readonly<Record<string, unknown>>;
        readonly targetQueue: string;
        readonly targetDeadLetterQueue: string;
      }
    >
  >;
  readonly pipes: Readonly<
    Record<
      string,
      {
        readonly name: string;
        readonly arn: string;
        readonly sourceQueue: string;
        readonly targetQueue: string;
      }
    >
  >;
  readonly functions: Readonly<Record<string, DeployedFunction>>;
  readonly eventSources: readonly ExpectedEventSource[];
}
