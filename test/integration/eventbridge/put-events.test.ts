import {
  CreateEventBusCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type Harness,
  queueArn,
  RecordingDispatcher,
  startEventBridge,
  waitFor,
} from "./helpers.ts";

let h: Harness;
let dispatcher: RecordingDispatcher;
beforeEach(async () => {
  dispatcher = new RecordingDispatcher();
  h = await startEventBridge({ targets: dispatcher });
});
afterEach(async () => {
  await h.close();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const entry = (detail: unknown = { zone: "z3" }) => ({
  Source: "buzzville.camera",
  DetailType: "CameraAnomalyDetected",
  Detail: JSON.stringify(detail),
});

describe("PutEvents validation", () => {
  it("accepts valid entries next to invalid ones and reports each failure like AWS", async () => {
    await h.client.send(
      new PutRuleCommand({
        Name: "all",
        EventPattern: JSON.stringify({ source: ["buzzville.camera"] }),
      }),
    );
    await h.client.send(
      new PutTargetsCommand({ Rule: "all", Targets: [{ Id: "q", Arn: queueArn("analytics") }] }),
    );
    const result = await h.client.send(
      new PutEventsCommand({
        Entries: [
          entry(),
          { DetailType: "X", Detail: "{}" },
          { Source: "s", Detail: "{}" },
          { Source: "s", DetailType: "X" },
          { Source: "s", DetailType: "X", Detail: "[1,2]" },
          { Source: "s", DetailType: "X", Detail: "not json" },
          { ...entry(), EventBusName: "nope" },
          entry({ zone: "z4" }),
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(6);
    const [first, ...rest] = result.Entries ?? [];
    expect(first?.EventId).toMatch(UUID);
    expect(rest.slice(0, 6)).toEqual([
      {
        ErrorCode: "InvalidArgument",
        ErrorMessage: "Parameter Source is not valid. Reason: Source is a required argument.",
      },
      {
        ErrorCode: "InvalidArgument",
        ErrorMessage:
          "Parameter DetailType is not valid. Reason: DetailType is a required argument.",
      },
      {
        ErrorCode: "InvalidArgument",
        ErrorMessage: "Parameter Detail is not valid. Reason: Detail is a required argument.",
      },
      { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." },
      { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." },
      { ErrorCode: "ResourceNotFoundException", ErrorMessage: "Event bus nope does not exist." },
    ]);
    expect(rest[6]?.EventId).toMatch(UUID);
    expect(rest[6]?.EventId).not.toBe(first?.EventId);
    const delivered = await waitFor(() => dispatcher.sqs.length === 2 && dispatcher.sqs, {
      what: "2 deliveries",
    });
    const zones = delivered.map((d) => JSON.parse(d.body).detail.zone).sort();
    expect(zones).toEqual(["z3", "z4"]);
  });

  it("rejects more than 10 entries with AWS's ValidationException", async () => {
    const error = await h.client
      .send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry()) }))
      .catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe("ValidationException");
    expect((error as Error).message).toMatch(
      /^1 validation error detected: Value '\[PutEventsRequestEntry\(.*\)\]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10$/s,
    );
  });

  it("rejects a request over 256 KiB", async () => {
    const big = "x".repeat(130 * 1024);
    const error = await h.client
      .send(new PutEventsCommand({ Entries: [entry({ big }), entry({ big })] }))
      .catch((e: Error) => e);
    expect((error as Error).name).toBe("ValidationException");
    expect((error as Error).message).toBe(
      "Total size of the entries in the request is over the limit.",
    );
  });

  it("honours a configured size limit (AWS's newer 1 MiB)", async () => {
    const wide = await startEventBridge({ targets: dispatcher, maxRequestBytes: 1024 * 1024 });
    try {
      const big = "x".repeat(300 * 1024);
      const result = await wide.client.send(new PutEventsCommand({ Entries: [entry({ big })] }));
      expect(result.FailedEntryCount).toBe(0);
    } finally {
      await wide.close();
    }
  });

  it("builds the envelope AWS delivers (account, region, time, resources, detail)", async () => {
    await h.client.send(new CreateEventBusCommand({ Name: "city" }));
    await h.client.send(
      new PutRuleCommand({
        Name: "r",
        EventBusName: "city",
        EventPattern: JSON.stringify({ "detail-type": ["CameraAnomalyDetected"] }),
      }),
    );
    await h.client.send(
      new PutTargetsCommand({
        Rule: "r",
        EventBusName: "city",
        Targets: [{ Id: "q", Arn: queueArn("media") }],
      }),
    );
    const when = new Date("2026-11-23T10:11:12.000Z");
    const result = await h.client.send(
      new PutEventsCommand({
        Entries: [
          {
            ...entry({ zone: "z1" }),
            EventBusName: "city",
            Time: when,
            Resources: ["arn:aws:iot:x:1:thing/cam-1"],
          },
        ],
      }),
    );
    const [delivery] = await waitFor(() => dispatcher.sqs.length === 1 && dispatcher.sqs, {
      what: "a delivery",
    });
    expect(JSON.parse(delivery?.body ?? "{}")).toEqual({
      version: "0",
      id: result.Entries?.[0]?.EventId,
      "detail-type": "CameraAnomalyDetected",
      source: "buzzville.camera",
      account: "000000000000",
      time: "2026-11-23T10:11:12Z",
      region: "us-east-1",
      resources: ["arn:aws:iot:x:1:thing/cam-1"],
      detail: { zone: "z1" },
    });
  });

  it("offers the same validation in process", async () => {
    const result = await h.service.putEvents([
      entry(),
      { Source: "s", DetailType: "X", Detail: "1" },
    ]);
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries[1]).toEqual({
      ErrorCode: "MalformedDetail",
      ErrorMessage: "Detail is malformed.",
    });
    expect(h.observations.filter((o) => o.type === "accepted")).toHaveLength(1);
  });
});
