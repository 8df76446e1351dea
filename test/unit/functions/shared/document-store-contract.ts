/**
 * The read-model port's contract (functions/shared/documents.ts), run on every adapter: the
 * in-memory twin and the caching store in the unit project, DynamoDB on dynalite over the real
 * SDK in the integration project — so the twins cannot drift apart.
 */
import { describe, expect, it } from "vitest";
import {
  DocumentConflictError,
  type DocumentStore,
  update,
} from "../../../../functions/shared/documents.ts";

/** A fresh, empty store per test (its own table or partition space). */
type Make = () => Promise<DocumentStore>;

export function describeDocumentStoreContract(label: string, make: Make): void {
  describe(`document store contract: ${label}`, () => {
    it("GIVEN no document WHEN it is read THEN it is undefined, and its partition lists empty", async () => {
      const docs = await make();
      expect(await docs.get("media#z1", "queue")).toBeUndefined();
      expect(await docs.list("media#z1")).toEqual([]);
    });

    it("writes at expected version + 1 and refuses a stale or premature version", async () => {
      const docs = await make();
      await docs.put("intersection#i-1", "state", { mode: "normal" }, 0);
      await expect(docs.put("intersection#i-1", "state", { mode: "x" }, 0)).rejects.toBeInstanceOf(
        DocumentConflictError,
      );
      await expect(docs.put("intersection#i-1", "state", { mode: "x" }, 2)).rejects.toBeInstanceOf(
        DocumentConflictError,
      );
      await docs.put("intersection#i-1", "state", { mode: "emergency" }, 1);
      expect(await docs.get("intersection#i-1", "state")).toEqual({
        value: { mode: "emergency" },
        version: 2,
      });
      await expect(docs.put("ghost#g", "state", { mode: "x" }, 1)).rejects.toBeInstanceOf(
        DocumentConflictError,
      );
    });

    it("keeps what was written: changing the caller's object afterwards changes nothing", async () => {
      const docs = await make();
      const value = { zones: ["z1"] };
      await docs.put("media#z2", "queue", value, 0);
      value.zones.push("z9");
      expect((await docs.get<{ zones: string[] }>("media#z2", "queue"))?.value).toEqual({
        zones: ["z1"],
      });
    });

    it("keeps what was read: changing a returned document changes nothing", async () => {
      const docs = await make();
      await docs.put("media#z4", "queue", { zones: ["z1"] }, 0);
      const read = await docs.get<{ zones: string[] }>("media#z4", "queue");
      read?.value.zones.push("z9");
      expect((await docs.get<{ zones: string[] }>("media#z4", "queue"))?.value).toEqual({
        zones: ["z1"],
      });
    });

    it("lists one partition, sk ascending, with versions", async () => {
      const docs = await make();
      await docs.put("density#z1", "live", { n: 1 }, 0);
      await docs.put("density#z1", "hour#2026-11-23T15", { n: 2 }, 0);
      await docs.put("density#z1", "hour#2026-11-23T15", { n: 3 }, 1);
      await docs.put("density#z2", "live", { n: 9 }, 0);
      expect(await docs.list("density#z1")).toEqual([
        { sk: "hour#2026-11-23T15", value: { n: 3 }, version: 2 },
        { sk: "live", value: { n: 1 }, version: 1 },
      ]);
    });

    it("adds counters atomically, from zero, without losing a concurrent delta", async () => {
      const docs = await make();
      await Promise.all(
        Array.from({ length: 5 }, () =>
          docs.add("zone-stats#z1", "minute", { events: 1, alerts: 2 }),
        ),
      );
      expect((await docs.get("zone-stats#z1", "minute"))?.value).toEqual({ events: 5, alerts: 10 });
    });

    it("update() retries on conflict: concurrent changes all land", async () => {
      const docs = await make();
      await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          update<string[]>(
            docs,
            "media#z3",
            "queue",
            () => [],
            (q) => [...q, `e${i}`],
            10,
          ),
        ),
      );
      const stored = await docs.get<string[]>("media#z3", "queue");
      expect(stored?.value.sort()).toEqual(["e0", "e1", "e2", "e3", "e4"]);
      expect(stored?.version).toBe(5);
    });
  });
}
