import { describe, expect, it } from "vitest";
import { InMemoryQueues } from "../../../../functions/dlq/port.ts";
import { DlqTool } from "../../../../functions/dlq/tool.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { InMemoryDocumentStore } from "../../../../functions/shared/documents.ts";
import { DynamoDbFailureLog } from "../../../../functions/shared/failure-log.ts";
import { cityEvent, eventBridgeJson } from "../fixtures.ts";

const DLQ = "http://local/000000000000/EmergencyCriticalDlq";
const SOURCE = "http://local/000000000000/EmergencyCriticalQueue";

function setup() {
  const clock = new ManualClock();
  const queues = new InMemoryQueues(() => clock.now());
  const docs = new InMemoryDocumentStore();
  const counts: [string, number][] = [];
  const tool = new DlqTool({ queues, docs, onCount: (q, n) => counts.push([q, n]) });
  return { clock, queues, docs, tool, counts };
}

describe("DLQ tool", () => {
  it("lists each message with its reason, source queue, receive count and failure times", async () => {
    const { queues, docs, tool, counts } = setup();
    const e = cityEvent("FireAlarmRaised");
    const id = queues.put(DLQ, eventBridgeJson(e), { receiveCount: 3 });
    await new DynamoDbFailureLog(docs).record(
      [
        {
          messageId: id,
          queueArn: "arn:aws:sqs:us-east-1:000000000000:EmergencyCriticalQueue",
          receiveCount: 3,
          reason: "timeout",
          message: "DispatchApi.dispatch did not complete within 3000 ms",
          backoffSeconds: 8,
        },
      ],
      "2026-11-23T15:00:09.000Z",
    );
    queues.put(DLQ, "not json", { receiveCount: 3 });
    const entries = await tool.record(DLQ);
    expect(entries[0]).toMatchObject({
      messageId: id,
      reason: "timeout",
      sourceQueue: "EmergencyCriticalQueue",
      receiveCount: 3,
      lastFailureAt: "2026-11-23T15:00:09.000Z",
      eventType: "FireAlarmRaised",
      eventId: e.detail.meta.eventId,
    });
    expect(entries[1]).toMatchObject({ reason: "validation" });
    expect(entries[1]?.detail).toMatch(/not JSON/);
    expect(counts).toEqual([["EmergencyCriticalDlq", 2]]);
    // listing leaves the messages in the DLQ
    expect(queues.messages(DLQ)).toHaveLength(2);
  });

  it("a dead letter listed before its failure log is written still shows its receive count", async () => {
    const { queues, tool } = setup();
    // The consumer dead-lettered it on its first delivery; the failure log is not written yet.
    queues.put(DLQ, "not json", {
      receiveCount: 0,
      attributes: {
        failureReason: "validation",
        failureMessage: "vehiclesInvolved: too small",
        sourceQueueArn: "arn:aws:sqs:us-east-1:000000000000:EmergencyCriticalQueue",
        sourceMessageId: "m-1",
        sourceReceiveCount: "1",
      },
    });
    const [entry] = await tool.record(DLQ);
    expect(entry).toMatchObject({ reason: "validation", receiveCount: 1 });
  });

  it("redrives every message to its source queue, none lost, none duplicated", async () => {
    const { queues, tool } = setup();
    const bodies = [1, 2, 3].map(() => eventBridgeJson(cityEvent("SmokeDetected")));
    for (const b of bodies) queues.put(DLQ, b);
    const result = await tool.redrive(DLQ, SOURCE);
    expect(result).toEqual({ moved: 3, completed: 0 });
    expect(queues.messages(DLQ)).toHaveLength(0);
    expect(queues.messages(SOURCE).map((m) => m.body)).toEqual(bodies);
  });

  it("after a crash between send and delete, the next run deletes without sending again", async () => {
    const { queues, tool, clock } = setup();
    queues.put(DLQ, eventBridgeJson(cityEvent("SmokeDetected")));
    queues.failNextDelete = true;
    await expect(tool.redrive(DLQ, SOURCE)).rejects.toThrow(/crash/);
    expect(queues.messages(SOURCE)).toHaveLength(1);
    clock.advance(60_000); // the DLQ message becomes visible again
    expect(await tool.redrive(DLQ, SOURCE)).toEqual({ moved: 0, completed: 1 });
    expect(queues.messages(SOURCE)).toHaveLength(1);
    expect(queues.messages(DLQ)).toHaveLength(0);
  });

  it("leaves a copy that failed again during the run for the next run, whatever the clocks say", async () => {
    const clock = new ManualClock();
    /** A source whose consumer dead-letters every message at once, as for an invalid event. */
    class BouncingQueues extends InMemoryQueues {
      override async send(
        queueUrl: string,
        message: Parameters<InMemoryQueues["send"]>[1],
      ): Promise<void> {
        await super.send(queueUrl, message);
        // SQS's clock is 5 minutes behind the operator's: a timestamp test would redrive it again
        this.put(DLQ, message.body, {
          attributes: { ...message.attributes, failureReason: "validation" },
          sentAt: clock.now() - 300_000,
        });
      }
    }
    const queues = new BouncingQueues(() => clock.now());
    const tool = new DlqTool({ queues, docs: new InMemoryDocumentStore() });
    const original = queues.put(DLQ, "not json");
    expect(await tool.redrive(DLQ, SOURCE)).toEqual({ moved: 1, completed: 0 });
    expect(queues.messages(SOURCE)).toHaveLength(1);
    const [copy] = queues.messages(DLQ);
    expect(queues.messages(DLQ)).toHaveLength(1);
    expect(copy?.attributes.redriveOf).toBe(original);
    // the next run redrives the copy (it was not resent by that run)
    expect(await tool.redrive(DLQ, SOURCE)).toEqual({ moved: 1, completed: 0 });
    expect(queues.messages(SOURCE)).toHaveLength(2);
  });

  it("redrives a message whose SQS timestamp is ahead of the operator's clock", async () => {
    const { queues, tool, clock } = setup();
    queues.put(DLQ, eventBridgeJson(cityEvent("SmokeDetected")), {
      sentAt: clock.now() + 120_000, // SQS's clock is 2 minutes ahead
    });
    expect(await tool.redrive(DLQ, SOURCE)).toEqual({ moved: 1, completed: 0 });
    expect(queues.messages(DLQ)).toHaveLength(0);
  });
});
