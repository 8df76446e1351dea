/**
 * Concurrency helpers of the batch processing (functions/shared/batch.ts): FIFO message groups
 * in order, and a bounded-concurrency loop the services share.
 */
import type { SQSRecord } from "aws-lambda";

/**
 * FIFO: records of one message group in order, stopping at the group's first failure (the rest
 * of the group fails without being tried); different groups concurrently, at most `concurrency`
 * at a time. Returns the failed message ids.
 */
export async function processFifoGroups(
  records: readonly SQSRecord[],
  handle: (record: SQSRecord) => Promise<unknown>,
  concurrency: number,
): Promise<Set<string>> {
  const groups = new Map<string, SQSRecord[]>();
  for (const r of records) {
    const id = r.attributes?.MessageGroupId ?? "";
    const list = groups.get(id) ?? [];
    list.push(r);
    groups.set(id, list);
  }
  const failed = new Set<string>();
  await forEachConcurrently([...groups.values()], concurrency, async (group) => {
    for (const [i, record] of group.entries()) {
      try {
        await handle(record);
      } catch {
        for (const rest of group.slice(i)) failed.add(rest.messageId);
        break;
      }
    }
  });
  return failed;
}

/** Runs `fn` over `items` with at most `concurrency` calls in flight, each item once. */
export async function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker),
  );
}
