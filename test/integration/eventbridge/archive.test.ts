import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  ListArchivesCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  StartReplayCommand,
} from "@aws-sdk/client-eventbridge";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  busArn,
  type Harness,
  ImmediateScheduler,
  ManualScheduler,
  queueArn,
  RecordingDispatcher,
  startEventBridge,
  waitFor,
} from "./helpers.ts";

let h: Harness;
let dispatcher: RecordingDispatcher;
let now: number;
const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);

beforeEach(async () => {
  now = T0;
  dispatcher = new RecordingDispatcher();
  h = await startEventBridge({
    targets: dispatcher,
    clock: { now: () => now },
    scheduler: new ImmediateScheduler(),
  });
  await h.client.send(new CreateEventBusCommand({ Name: "city" }));
});
afterEach(async () => {
  await h.close();
});

const put = (source: string, n: number) =>
  h.client.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: "city",
          Source: source,
          DetailType: "Reading",
          Detail: JSON.stringify({ n }),
        },
      ],
    }),
  );

describe("archives and replay", () => {
  it("captures matching events and replays a time window, marked with replay-name", async () => {
    const archive = await h.client.send(
      new CreateArchiveCommand({
        ArchiveName: "city-archive",
        EventSourceArn: busArn("city"),
        EventPattern: JSON.stringify({ source: ["buzzville.weather"] }),
        RetentionDays: 7,
      }),
    );
    expect(archive.State).toBe("ENABLED");
    expect(archive.ArchiveArn).toBe("arn:aws:events:us-east-1:000000000000:archive/city-archive");

    await put("buzzville.weather", 1); // T0
    now += 60_000;
    await put("buzzville.gas", 2); // not archived: pattern
    await put("buzzville.weather", 3); // T0+1min
    now += 60_000;
    await put("buzzville.weather", 4); // T0+2min, outside the replay window
    now += 60_000;

    const described = await h.client.send(
      new DescribeArchiveCommand({ ArchiveName: "city-archive" }),
    );
    expect(described).toMatchObject({
      ArchiveName: "city-archive",
      EventSourceArn: busArn("city"),
      RetentionDays: 7,
      EventCount: 3,
    });
    expect(described.SizeBytes).toBeGreaterThan(0);
    const listed = await h.client.send(new ListArchivesCommand({ EventSourceArn: busArn("city") }));
    expect(listed.Archives?.map((a) => [a.ArchiveName, a.EventCount])).toEqual([
      ["city-archive", 3],
    ]);

    // A rule created after the events were published receives them only through the replay.
    await h.client.send(
      new PutRuleCommand({
        Name: "weather",
        EventBusName: "city",
        EventPattern: JSON.stringify({ source: ["buzzville.weather"] }),
      }),
    );
    await h.client.send(
      new PutTargetsCommand({
        Rule: "weather",
        EventBusName: "city",
        Targets: [{ Id: "q", Arn: queueArn("replayed") }],
      }),
    );
    await h.client.send(
      new PutRuleCommand({
        Name: "ignored",
        EventBusName: "city",
        EventPattern: JSON.stringify({ source: ["buzzville.weather"] }),
      }),
    );
    await h.client.send(
      new PutTargetsCommand({
        Rule: "ignored",
        EventBusName: "city",
        Targets: [{ Id: "q", Arn: queueArn("not-in-filter") }],
      }),
    );

    const started = await h.client.send(
      new StartReplayCommand({
        ReplayName: "morning",
        EventSourceArn: archive.ArchiveArn,
        EventStartTime: new Date(T0),
        EventEndTime: new Date(T0 + 120_000),
        Destination: {
          Arn: busArn("city"),
          FilterArns: ["arn:aws:events:us-east-1:000000000000:rule/city/weather"],
        },
      }),
    );
    expect(started.State).toBe("STARTING");
    const states = () =>
      h.observations.flatMap((o) => (o.type === "replay-state" ? [o.state] : []));
    await waitFor(() => states().includes("COMPLETED"), { what: "replay completion" });
    expect(states()).toEqual(["RUNNING", "COMPLETED"]);
    await h.service.idle();
    const replayed = dispatcher.to(queueArn("replayed")).map((d) => JSON.parse(d.body));
    expect(replayed.map((e) => e.detail.n)).toEqual([1, 3]);
    expect(replayed.every((e) => e["replay-name"] === "morning")).toBe(true);
    expect(dispatcher.to(queueArn("not-in-filter"))).toEqual([]);

    const replay = await h.client.send(new DescribeReplayCommand({ ReplayName: "morning" }));
    expect(replay).toMatchObject({
      ReplayName: "morning",
      State: "COMPLETED",
      EventSourceArn: archive.ArchiveArn,
    });
    expect(replay.EventStartTime?.getTime()).toBe(T0);
    expect(replay.EventLastReplayedTime?.getTime()).toBe(T0 + 60_000);
    // Replayed events are not archived again.
    expect(
      (await h.client.send(new DescribeArchiveCommand({ ArchiveName: "city-archive" }))).EventCount,
    ).toBe(3);
  });

  it("moves a replay through STARTING, RUNNING and COMPLETED", async () => {
    const scheduler = new ManualScheduler();
    const manual = await startEventBridge({
      targets: dispatcher,
      clock: { now: () => now },
      scheduler,
    });
    try {
      const archive = await manual.client.send(
        new CreateArchiveCommand({ ArchiveName: "all", EventSourceArn: busArn("default") }),
      );
      await manual.client.send(
        new PutEventsCommand({
          Entries: [
            { Source: "s", DetailType: "t", Detail: "{}" },
            { Source: "s", DetailType: "t", Detail: "{}" },
          ],
        }),
      );
      now += 1000;
      const start = {
        ReplayName: "r",
        EventSourceArn: archive.ArchiveArn,
        EventStartTime: new Date(T0),
        EventEndTime: new Date(now),
      };
      await manual.client.send(
        new StartReplayCommand({ ...start, Destination: { Arn: busArn("default") } }),
      );
      const state = async () =>
        (await manual.client.send(new DescribeReplayCommand({ ReplayName: "r" }))).State;
      expect(await state()).toBe("STARTING");
      scheduler.runNext();
      expect(await state()).toBe("RUNNING");
      scheduler.runNext();
      expect(await state()).toBe("COMPLETED");
      const done = manual.observations.filter((o) => o.type === "replay-state").at(-1);
      expect(done).toMatchObject({ state: "COMPLETED", replayedCount: 2, totalCount: 2 });
    } finally {
      await manual.close();
    }
  });

  it("validates archives and replays like AWS", async () => {
    const err = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: Error) => ({ name: e.name, message: e.message }),
      );
    expect(
      await err(
        h.client.send(
          new CreateArchiveCommand({ ArchiveName: "a", EventSourceArn: busArn("nope") }),
        ),
      ),
    ).toEqual({
      name: "ResourceNotFoundException",
      message: "Event bus nope does not exist.",
    });
    const created = await h.client.send(
      new CreateArchiveCommand({ ArchiveName: "a", EventSourceArn: busArn("city") }),
    );
    expect(
      await err(
        h.client.send(
          new CreateArchiveCommand({ ArchiveName: "a", EventSourceArn: busArn("city") }),
        ),
      ),
    ).toEqual({
      name: "ResourceAlreadyExistsException",
      message: "Archive a already exists.",
    });
    expect(await err(h.client.send(new DescribeArchiveCommand({ ArchiveName: "zz" })))).toEqual({
      name: "ResourceNotFoundException",
      message: "Archive zz does not exist.",
    });
    const replay = (start: number, end: number, dest = busArn("city")) =>
      h.client.send(
        new StartReplayCommand({
          ReplayName: "r",
          EventSourceArn: created.ArchiveArn,
          EventStartTime: new Date(start),
          EventEndTime: new Date(end),
          Destination: { Arn: dest },
        }),
      );
    expect(await err(replay(T0, T0 - 1000))).toEqual({
      name: "ValidationException",
      message:
        "Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.",
    });
    expect(await err(replay(T0 - 1000, T0 + 3_600_000))).toEqual({
      name: "ValidationException",
      message: "Parameter EventEndTime is not valid. Reason: EventEndTime cannot be in the future.",
    });
    expect(await err(replay(T0 - 2000, T0 - 1000, busArn("default")))).toEqual({
      name: "ValidationException",
      message:
        "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.",
    });
    expect(await err(h.client.send(new DescribeReplayCommand({ ReplayName: "none" })))).toEqual({
      name: "ResourceNotFoundException",
      message: "Replay none does not exist.",
    });
  });
});
