/** What the local deployment created: logical id -> physical names, ARNs and URLs. */
import type { ExpectedEventSource, ExpectedFunction, QueueRole } from "../infra/resources.ts";

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

/** A function as deployed: its expected description (infra/resources.ts) under a physical name. */
export interface DeployedFunction extends Omit<ExpectedFunction, "logicalId" | "resourceEnv"> {
  readonly name: string;
  /** RESOURCE_ENV variable -> physical name or ARN (the expected one maps to logical ids). */
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
