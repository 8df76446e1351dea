import { describe, expect, it } from "vitest";
import { CappedQueues } from "../../../bin/ops/capped-queues.ts";
import { InMemoryQueues } from "../../../functions/dlq/port.ts";
import { DlqTool } from "../../../functions/dlq/tool.ts";
import { ManualClock } from "../../../functions/shared/clock.ts";
import { InMemoryDocumentStore } from "../../../functions/shared/documents.ts";

describe("CappedQueues", () => {
  it("makes the DLQ tool's redrive move exactly the cap, so --max N is exact", async () => {
    const clock = new ManualClock();
    const memory = new InMemoryQueues(() => clock.now());
    for (let i = 0; i < 25; i++) memory.put("dlq", `m${i}`);
    const queues = new CappedQueues(memory);
    const tool = new DlqTool({ queues, docs: new InMemoryDocumentStore() });

    queues.cap = 3;
    expect(await tool.redrive("dlq", "src", 3)).toEqual({ moved: 3, completed: 0 });
    expect(memory.messages("src").map((m) => m.body)).toEqual(["m0", "m1", "m2"]);
    expect(memory.messages("dlq")).toHaveLength(22);

    queues.cap = 10;
    expect(await tool.redrive("dlq", "src", 10)).toEqual({ moved: 10, completed: 0 });
    expect(memory.messages("dlq")).toHaveLength(12);
    expect(new Set(memory.messages("src").map((m) => m.body)).size).toBe(13);
  });
});
