/**
 * Rebuilt documents against the live read models: compare (`--check`) or replace them. Both go
 * through the DocumentStore port, so they work on the DynamoDB table and its in-memory twin.
 */
import { isDeepStrictEqual } from "node:util";
import {
  DocumentConflictError,
  type DocumentStore,
  type InMemoryDocumentStore,
} from "../shared/documents.ts";

export interface DocumentDiff {
  readonly pk: string;
  readonly sk: string;
  readonly live: unknown;
  readonly rebuilt: unknown;
}

/**
 * A document as the comparison sees it. An intersection's `recentEventIds` is an idempotency
 * window in ARRIVAL order (which redelivery to skip), while a rebuild applies the events in
 * occurrence order: the window is compared as a set (sorted ids), everything else as is. So is an
 * incident's `absorbed` list (`eventIds`, the order its events arrived in).
 */
export function comparable(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  let out = value as Record<string, unknown>;
  for (const field of ["recentEventIds", "eventIds"]) {
    const ids = out[field];
    if (Array.isArray(ids)) out = { ...out, [field]: [...ids].sort() };
  }
  return out;
}

/** Every document of the rebuilt store, by partition. */
async function* documentsOf(rebuilt: InMemoryDocumentStore) {
  for (const pk of rebuilt.partitions()) {
    for (const d of await rebuilt.list(pk)) yield { pk, sk: d.sk, value: d.value };
  }
}

/** The rebuilt documents whose live counterpart differs (or is missing). */
export async function diffWithLive(
  rebuilt: InMemoryDocumentStore,
  live: DocumentStore,
): Promise<{ compared: number; diffs: DocumentDiff[] }> {
  const diffs: DocumentDiff[] = [];
  let compared = 0;
  for await (const { pk, sk, value } of documentsOf(rebuilt)) {
    compared++;
    const current = await live.get(pk, sk);
    if (!isDeepStrictEqual(comparable(current?.value), comparable(value))) {
      diffs.push({ pk, sk, live: current?.value, rebuilt: value });
    }
  }
  return { compared, diffs };
}

/** Writes every rebuilt document over the live one (optimistic, retried on a concurrent write). */
export async function replaceLive(
  rebuilt: InMemoryDocumentStore,
  live: DocumentStore,
  attempts = 5,
): Promise<number> {
  let written = 0;
  for await (const { pk, sk, value } of documentsOf(rebuilt)) {
    for (let i = 1; ; i++) {
      const current = await live.get(pk, sk);
      try {
        await live.put(pk, sk, value, current?.version ?? 0);
        break;
      } catch (error) {
        if (!(error instanceof DocumentConflictError) || i >= attempts) throw error;
      }
    }
    written++;
  }
  return written;
}
