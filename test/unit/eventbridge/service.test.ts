import { describe, expect, it } from "vitest";
import {
  createEventBridgeService,
  type Scheduler,
  type TargetDispatcher,
} from "../../../local/eventbridge/index.ts";

/** Holds callbacks until run; records cancellations. */
class HeldScheduler implements Scheduler {
  readonly held: Array<{ run: () => void; cancelled: boolean }> = [];
  setTimeout(run: () => void): unknown {
    const entry = { run, cancelled: false };
    this.held.push(entry);
    return entry;
  }
  clearTimeout(handle: unknown): void {
    (handle as { cancelled: boolean }).cancelled = true;
  }
}

const failing = (): TargetDispatcher & { calls: number } => {
  const d = {
    calls: 0,
    sendToSqs: async () => {
      d.calls += 1;
      throw new Error("queue unavailable");
    },
    publishToSns: async () => undefined,
    invokeLambda: async () => undefined,
  };
  return d;
};

async function call(
  service: ReturnType<typeof createEventBridgeService>,
  action: string,
  body: unknown,
) {
  const response = await service.handle({
    target: `AWSEvents.${action}`,
    body: JSON.stringify(body),
  });
  return {
    status: response.statusCode,
    headers: response.headers,
    body: JSON.parse(response.body),
  };
}

async function wireFailingRule(service: ReturnType<typeof createEventBridgeService>) {
  await call(service, "PutRule", { Name: "r", EventPattern: JSON.stringify({ source: ["s"] }) });
  await call(service, "PutTargets", {
    Rule: "r",
    Targets: [
      {
        Id: "q",
        Arn: "arn:aws:sqs:us-east-1:000000000000:q",
        RetryPolicy: { MaximumRetryAttempts: 5 },
      },
    ],
  });
}

describe("EventBridge service lifecycle", () => {
  it("close() cancels scheduled retries and idle() then resolves", async () => {
    const scheduler = new HeldScheduler();
    const dispatcher = failing();
    const service = createEventBridgeService({ scheduler, targets: dispatcher });
    await wireFailingRule(service);
    const retrying = new Promise<void>((resolve) => {
      service.onEvent((o) => {
        if (o.type === "retrying") resolve();
      });
    });
    await service.putEvents([{ Source: "s", DetailType: "t", Detail: "{}" }]);
    await retrying;
    expect(scheduler.held).toHaveLength(1);
    expect(dispatcher.calls).toBe(1);
    service.close();
    expect(scheduler.held[0]?.cancelled).toBe(true);
    await service.idle();
    expect(dispatcher.calls).toBe(1);
  });

  it("keeps delivering when an observer throws", async () => {
    const delivered: string[] = [];
    const service = createEventBridgeService({
      targets: {
        sendToSqs: async (arn) => {
          delivered.push(arn);
        },
        publishToSns: async () => undefined,
        invokeLambda: async () => undefined,
      },
    });
    service.onEvent(() => {
      throw new Error("observer bug");
    });
    await call(service, "PutRule", { Name: "r", EventPattern: JSON.stringify({ source: ["s"] }) });
    await call(service, "PutTargets", {
      Rule: "r",
      Targets: [{ Id: "q", Arn: "arn:aws:sqs:us-east-1:000000000000:q" }],
    });
    const result = await service.putEvents([{ Source: "s", DetailType: "t", Detail: "{}" }]);
    expect(result.FailedEntryCount).toBe(0);
    await service.idle();
    expect(delivered).toEqual(["arn:aws:sqs:us-east-1:000000000000:q"]);
    service.close();
  });

  it("renders errors in AWS JSON 1.1 with x-amzn-ErrorType", async () => {
    const service = createEventBridgeService({ accountId: "123456789012", region: "eu-west-1" });
    const missing = await call(service, "DescribeRule", { Name: "nope" });
    expect(missing.status).toBe(400);
    expect(missing.headers["x-amzn-errortype"]).toBe("ResourceNotFoundException");
    expect(missing.headers["content-type"]).toBe("application/x-amz-json-1.1");
    expect(missing.body).toEqual({
      __type: "ResourceNotFoundException",
      message: "Rule nope does not exist on EventBus default.",
    });
    const bus = await call(service, "DescribeEventBus", {});
    expect(bus.body.Arn).toBe("arn:aws:events:eu-west-1:123456789012:event-bus/default");
    const wrongService = await service.handle({ target: "AmazonSQS.SendMessage", body: "{}" });
    expect(JSON.parse(wrongService.body).__type).toBe("UnknownOperationException");
    service.close();
  });

  it("uses the injected id generator and clock for events", async () => {
    const bodies: string[] = [];
    const service = createEventBridgeService({
      newId: () => "fixed-id",
      clock: { now: () => Date.UTC(2026, 0, 2, 3, 4, 5) },
      targets: {
        sendToSqs: async (_arn, body) => {
          bodies.push(body);
        },
        publishToSns: async () => undefined,
        invokeLambda: async () => undefined,
      },
    });
    await call(service, "PutRule", { Name: "r", EventPattern: JSON.stringify({ source: ["s"] }) });
    await call(service, "PutTargets", {
      Rule: "r",
      Targets: [{ Id: "q", Arn: "arn:aws:sqs:us-east-1:000000000000:q" }],
    });
    const result = await call(service, "PutEvents", {
      Entries: [{ Source: "s", DetailType: "t", Detail: "{}" }],
    });
    expect(result.body).toEqual({ FailedEntryCount: 0, Entries: [{ EventId: "fixed-id" }] });
    await service.idle();
    expect(JSON.parse(bodies[0] ?? "{}")).toMatchObject({
      id: "fixed-id",
      time: "2026-01-02T03:04:05Z",
    });
    service.close();
  });

  it("prunes archived events past their retention on request, keeping the rest in order", async () => {
    let now = Date.UTC(2026, 0, 1);
    const service = createEventBridgeService({ clock: { now: () => now } });
    const busArn = "arn:aws:events:us-east-1:000000000000:event-bus/default";
    await call(service, "CreateArchive", {
      ArchiveName: "a",
      EventSourceArn: busArn,
      RetentionDays: 1,
    });
    const put = (n: number) =>
      call(service, "PutEvents", {
        Entries: [{ Source: "s", DetailType: "t", Detail: `{"n":${n}}` }],
      });
    await put(1);
    now += 12 * 3_600_000;
    await put(2);
    await put(3);
    await service.idle();
    now += 13 * 3_600_000; // the first event is now 25 h old, the others 13 h
    service.pruneArchives();
    const described = await call(service, "DescribeArchive", { ArchiveName: "a" });
    expect(described.body.EventCount).toBe(2);
    service.close();
  });
});
