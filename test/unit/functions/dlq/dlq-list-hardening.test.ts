/** `DlqTool.list` never leaves a message hidden, even when describing it fails (fault injected). */
import { describe, expect, it } from "vitest";
import { InMemoryQueues } from "../../../../functions/dlq/port.ts";
import { DlqTool } from "../../../../functions/dlq/tool.ts";
import { InMemoryDocumentStore } from "../../../../functions/shared/documents.ts";

const DLQ = "http://local/000000000000/SomeDlq.fifo";

describe("DlqTool.list", () => {
  it("makes every received message visible again, in reverse order, even when describing fails", async () => {
    const queues = new InMemoryQueues(() => 0);
    const released: string[] = [];
    const release = queues.release.bind(queues);
    queues.release = async (url, handle) => {
      released.push(handle);
      await release(url, handle);
    };
    for (const body of ["a", "b", "c"]) queues.put(DLQ, body, { groupId: "g" });
    const docs = new InMemoryDocumentStore();
    docs.get = async () => {
      throw new Error("injected: the read-models table is unreachable");
    };
    const tool = new DlqTool({ queues, docs });
    await expect(tool.list(DLQ)).rejects.toThrow("injected");
    const handles = queues.messages(DLQ).map((m) => m.receiptHandle);
    expect(released).toEqual([...handles].reverse());
    const again = await queues.receive(DLQ, 10, 30);
    expect(again.map((m) => m.body)).toEqual(["a", "b", "c"]);
  });
});
