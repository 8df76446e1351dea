/**
 * A whole local city with its operators' console, as `npm start --scenario fire` runs it (port
 * 0, every function, the simulator publishing over the real wire). The fire plays in the first
 * seconds; the city then stays up, quiet, until the test stops it.
 */
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { LOCAL_CREDENTIALS } from "../../../local/targets.ts";
import { runUp } from "../../../local/up/run.ts";
import { loadTrafficSource } from "../../../local/up/traffic.ts";
import { waitFor } from "../../support/wait.ts";
import { cityEvent, eventBridgeJson } from "../../unit/functions/fixtures.ts";

export interface ConsoleCity {
  /** The console's URL, e.g. http://127.0.0.1:PORT/ */
  readonly url: string;
  readonly sqs: SQSClient;
  /** Puts one valid event into a DLQ (by logical id) of the deployment; resolves its URL. */
  deadLetter(logicalId: string): Promise<string>;
  stop(): Promise<void>;
}

interface DlqView {
  logicalId: string;
  name: string;
  depth: number;
  messages: { messageId: string; reason: string; eventType?: string }[];
}

export async function dlqs(url: string): Promise<DlqView[]> {
  const res = await fetch(new URL("console/dlqs", url));
  if (!res.ok) throw new Error(`GET /console/dlqs: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { queues: DlqView[] }).queues;
}

export async function startConsoleCity(scenarioSeconds = 20): Promise<ConsoleCity> {
  const simulator = await loadTrafficSource();
  // Every trace kept (docs/OPERATIONS.md "Traces"), so the fire's are there to be looked at: read
  // once by startLocalCloud, restored as soon as the city is up.
  const tracingWas = process.env.BUZZVILLE_TRACING;
  process.env.BUZZVILLE_TRACING = "all";
  const stop = new AbortController();
  let out = "";
  let ready: (url: string) => void = () => {};
  const consoleUrl = new Promise<string>((resolve) => {
    ready = resolve;
  });
  const run = runUp({
    port: 0,
    scenario: "fire",
    rate: 4,
    seed: 11,
    drainTimeoutSeconds: 5,
    signal: stop.signal,
    console: { port: 0, onReady: (u) => ready(u) },
    out: (t) => {
      out += t;
    },
    err: () => {},
    traffic: {
      ...simulator,
      async run(options) {
        const outcome = await simulator.run({ ...options, durationSeconds: scenarioSeconds });
        await new Promise<void>((resolve) => {
          if (options.signal.aborted) resolve();
          options.signal.addEventListener("abort", () => resolve());
        });
        return outcome;
      },
    },
  });
  const failed = run.then(() => {
    throw new Error(`the city stopped before its console was up:\n${out}`);
  });
  const url = await Promise.race([consoleUrl, failed]).finally(() => {
    if (tracingWas === undefined) delete process.env.BUZZVILLE_TRACING;
    else process.env.BUZZVILLE_TRACING = tracingWas;
  });
  const endpoint = /local cloud on (http:\/\/\S+) /.exec(out)?.[1];
  if (!endpoint) throw new Error(`no endpoint in the run's output:\n${out}`);
  const sqs = new SQSClient({ endpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS });
  return {
    url,
    sqs,
    async deadLetter(logicalId) {
      const name = (await dlqs(url)).find((d) => d.logicalId === logicalId)?.name;
      if (!name) throw new Error(`no DLQ ${logicalId} in /console/dlqs`);
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      const event = cityEvent("WeatherAlertCancelled", { alertId: `wx-console-${Date.now()}` });
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: eventBridgeJson(event) }));
      await waitFor(`the message in ${logicalId}`, async () =>
        (await dlqs(url)).some((d) => d.logicalId === logicalId && d.depth === 1),
      );
      return QueueUrl ?? "";
    },
    async stop() {
      stop.abort();
      await run.catch(() => undefined);
      sqs.destroy();
    },
  };
}
