import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CircuitBreaker } from "../../../functions/shared/breaker.ts";
import { ManualClock } from "../../../functions/shared/clock.ts";
import { DocumentConflictError, update } from "../../../functions/shared/documents.ts";
import { DynamoDbBreakerStore } from "../../../functions/shared/dynamodb-breaker-store.ts";
import { DynamoDbDocumentStore } from "../../../functions/shared/dynamodb-documents.ts";
import { type Dynamo, startDynamo } from "./dynalite.ts";

describe("read-model adapters on DynamoDB (dynalite, real SDK v3 clients)", () => {
  let dynamo: Dynamo;
  const table = "read-models";

  beforeAll(async () => {
    dynamo = await startDynamo();
    await dynamo.createReadModelsTable(table);
  });
  afterAll(async () => {
    await dynamo.close();
  });

  it("writes versioned documents with optimistic concurrency", async () => {
    const docs = new DynamoDbDocumentStore(dynamo.documents, table);
    await docs.put("intersection#i-1", "state", { mode: "normal" }, 0);
    await expect(docs.put("intersection#i-1", "state", { mode: "x" }, 0)).rejects.toBeInstanceOf(
      DocumentConflictError,
    );
    await docs.put("intersection#i-1", "state", { mode: "emergency" }, 1);
    expect(await docs.get("intersection#i-1", "state")).toEqual({
      value: { mode: "emergency" },
      version: 2,
    });
    await expect(docs.put("intersection#i-1", "state", { mode: "y" }, 1)).rejects.toBeInstanceOf(
      DocumentConflictError,
    );
  });

  it("updates concurrently without losing a write, lists a partition, adds counters atomically", async () => {
    const docs = new DynamoDbDocumentStore(dynamo.documents, table);
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        update<string[]>(
          docs,
          "media#z1",
          "queue",
          () => [],
          (q) => [...q, `e${i}`],
          10,
        ),
      ),
    );
    expect((await docs.get<string[]>("media#z1", "queue"))?.value.sort()).toEqual([
      "e0",
      "e1",
      "e2",
      "e3",
      "e4",
    ]);
    await docs.add("density#z1", "hour#2026-11-23T15", { samples: 2, vehiclesCounted: 30 });
    await docs.add("density#z1", "hour#2026-11-23T15", { samples: 1, vehiclesCounted: 5 });
    await docs.put("density#z1", "live", { vehiclesCounted: 1 }, 0);
    const list = await docs.list<Record<string, number>>("density#z1");
    expect(list.map((d) => d.sk)).toEqual(["hour#2026-11-23T15", "live"]);
    expect(list[0]?.value).toEqual({ samples: 3, vehiclesCounted: 35 });
  });

  it("shares a circuit breaker's state between instances through the table", async () => {
    const clock = new ManualClock();
    const store = new DynamoDbBreakerStore(dynamo.documents, table);
    const make = () =>
      new CircuitBreaker({ name: "sms", store, clock, failureThreshold: 2, openMs: 1_000 });
    const a = make();
    const b = make();
    await a.call("send", () => Promise.reject(new Error("503"))).catch(() => {});
    await b.call("send", () => Promise.reject(new Error("503"))).catch(() => {});
    expect(await a.status()).toBe("open");
    clock.advance(1_000);
    await expect(b.call("send", async () => "ok")).resolves.toBe("ok");
    expect(await a.status()).toBe("closed");
  });
});
