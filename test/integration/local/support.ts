/** Helpers for the local cloud's integration tests: wait on a condition with a deadline, clients. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SNSClient } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { QueueBackend } from "../../../local/backends/fauxqs.ts";
import { inProcessRequestHandler } from "../../../local/gateway/in-process.ts";

export { WaitTimeoutError, waitFor } from "../../support/wait.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** Real AWS SDK v3 clients pointed at one local endpoint. */
export function clientsFor(endpoint: string, region = "us-east-1") {
  const config = { endpoint, region, credentials };
  return {
    sqs: new SQSClient(config),
    sns: new SNSClient(config),
    dynamodb: new DynamoDBClient(config),
    events: new EventBridgeClient(config),
  };
}

/** A real SQS client served in process by a bare queue backend (no gateway, no port). */
export function inProcessSqs(backend: QueueBackend, region = "us-east-1"): SQSClient {
  return new SQSClient({
    endpoint: "http://127.0.0.1:1",
    region,
    credentials,
    requestHandler: inProcessRequestHandler(backend.inject, "127.0.0.1:1"),
  });
}

/** Creates a queue (or finds it, as SQS does for the same attributes): its URL and ARN. */
export async function createQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string> = {},
): Promise<{ url: string; arn: string }> {
  const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const url = out.QueueUrl ?? "";
  const arn = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }),
  );
  return { url, arn: arn.Attributes?.QueueArn ?? "" };
}

/** One receive (no wait): the bodies handed out and their receipt handles. */
export async function receiveOnce(
  sqs: SQSClient,
  url: string,
  max = 10,
): Promise<{ body: string; handle: string }[]> {
  const out = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: max, WaitTimeSeconds: 0 }),
  );
  return (out.Messages ?? []).map((m) => ({ body: m.Body ?? "", handle: m.ReceiptHandle ?? "" }));
}

interface BatchEntry {
  readonly Id?: string;
}
interface BatchOutput {
  Successful?: { Id?: string }[];
  Failed?: { Id?: string; Code?: string; SenderFault?: boolean; Message?: string }[];
}

/**
 * Fault injection (fauxqs never reports a per-entry failure in a batch call, so this cannot be
 * produced otherwise): for the next `times` calls of `commandName` (e.g.
 * "DeleteMessageBatchCommand") whose entries include one with an id `pick` selects, that entry is
 * withheld from the request — the real server never sees it — and reported in `Failed` as an
 * InternalError, exactly as SQS reports a failed entry. Returns the number of faults injected.
 */
export function injectBatchEntryFailures(
  client: SQSClient,
  commandName: string,
  options: { times: number; pick?: (entry: BatchEntry, index: number) => boolean },
): { readonly injected: number } {
  const state = { injected: 0 };
  const pick = options.pick ?? ((_e: BatchEntry, i: number) => i === 0);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Entries?: BatchEntry[] };
      const entries = input.Entries ?? [];
      const victim = entries.find(pick);
      if (context.commandName !== commandName || state.injected >= options.times || !victim) {
        return next(args);
      }
      state.injected++;
      const rest = entries.filter((e) => e !== victim);
      const result =
        rest.length > 0
          ? await next({ ...args, input: { ...input, Entries: rest } as typeof args.input })
          : { output: { $metadata: {}, Successful: [] }, response: {} };
      const output = result.output as BatchOutput;
      output.Failed = [
        ...(output.Failed ?? []),
        { Id: victim.Id, Code: "InternalError", SenderFault: false, Message: "injected fault" },
      ];
      return result;
    },
    { step: "initialize", name: `inject-${commandName}-failure` },
  );
  return state;
}
