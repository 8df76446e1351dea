import { describe, expect, it } from "vitest";
import { diffRequestCounts, RequestCounter, totalRequests } from "../../../local/request-counts.ts";

describe("RequestCounter", () => {
  it("counts by origin, service and action, and diffs two snapshots", () => {
    const counter = new RequestCounter();
    counter.count("client", "dynamodb", "PutItem");
    counter.count("client", "dynamodb", "PutItem", 2);
    counter.count("cloud", "sqs", "SendMessageBatch");
    const before = counter.snapshot();
    expect(before).toEqual({
      client: { dynamodb: { PutItem: 3 } },
      cloud: { sqs: { SendMessageBatch: 1 } },
    });
    counter.count("client", "dynamodb", "Query");
    counter.count("cloud", "sqs", "SendMessageBatch", 4);
    const delta = diffRequestCounts(counter.snapshot(), before);
    expect(delta).toEqual({
      client: { dynamodb: { Query: 1 } },
      cloud: { sqs: { SendMessageBatch: 4 } },
    });
    expect(totalRequests(delta)).toBe(5);
    expect(totalRequests(delta, "client")).toBe(1);
  });

  it("takes names from requests without touching any prototype", () => {
    const counter = new RequestCounter();
    counter.count("client", "__proto__", "polluted");
    counter.count("client", "sqs", "__proto__");
    const snap = counter.snapshot();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(snap.client, "__proto__")).toBe(true);
    expect(totalRequests(diffRequestCounts(snap, { client: {}, cloud: {} }))).toBe(2);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
