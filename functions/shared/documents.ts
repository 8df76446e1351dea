/**
 * Port for read models: versioned JSON documents addressed by (pk, sk), written with optimistic
 * concurrency (put succeeds only at the expected version). DynamoDB adapter on the read-models
 * table (keys in infra/tables.ts); in-memory adapter for unit tests.
 */
import { ConflictError } from "./errors.ts";

export interface Versioned<T> {
  readonly value: T;
  readonly version: number;
}

export interface DocumentStore {
  get<T>(pk: string, sk: string): Promise<Versioned<T> | undefined>;
  /** Writes `value` at version expectedVersion + 1; expectedVersion 0 = must not exist. */
  put<T>(pk: string, sk: string, value: T, expectedVersion: number): Promise<void>;
  /** Every document of a partition (sk ascending). */
  list<T>(pk: string): Promise<{ sk: string; value: T; version: number }[]>;
  /** Atomically adds `delta` to numeric fields of a counter document (created at 0). */
  add(pk: string, sk: string, deltas: Readonly<Record<string, number>>): Promise<void>;
  /** Drops a cached copy (a caching store), so the next `get` reads the document itself. */
  forget?(pk: string, sk: string): void;
}

export class DocumentConflictError extends ConflictError {
  constructor(pk: string, sk: string, expectedVersion: number, options?: { cause?: unknown }) {
    super(
      `Read model ${pk}/${sk} changed concurrently: expected version ${expectedVersion}; re-read and retry`,
      options,
    );
    this.name = "DocumentConflictError";
  }
}

export class InMemoryDocumentStore implements DocumentStore {
  private readonly docs = new Map<string, Map<string, Versioned<unknown>>>();

  async get<T>(pk: string, sk: string): Promise<Versioned<T> | undefined> {
    const d = this.docs.get(pk)?.get(sk);
    return d ? (structuredClone(d) as Versioned<T>) : undefined;
  }

  async put<T>(pk: string, sk: string, value: T, expectedVersion: number): Promise<void> {
    const part = this.docs.get(pk) ?? new Map<string, Versioned<unknown>>();
    const current = part.get(sk)?.version ?? 0;
    if (current !== expectedVersion) throw new DocumentConflictError(pk, sk, expectedVersion);
    part.set(sk, { value: structuredClone(value), version: expectedVersion + 1 });
    this.docs.set(pk, part);
  }

  async list<T>(pk: string): Promise<{ sk: string; value: T; version: number }[]> {
    return [...(this.docs.get(pk) ?? new Map<string, Versioned<unknown>>()).entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([sk, d]) => ({ sk, value: structuredClone(d.value) as T, version: d.version }));
  }

  async add(pk: string, sk: string, deltas: Readonly<Record<string, number>>): Promise<void> {
    const part = this.docs.get(pk) ?? new Map<string, Versioned<unknown>>();
    const d = part.get(sk) ?? { value: {}, version: 0 };
    const value = { ...(d.value as Record<string, number>) };
    for (const [k, v] of Object.entries(deltas)) value[k] = (value[k] ?? 0) + v;
    part.set(sk, { value, version: d.version + 1 });
    this.docs.set(pk, part);
  }

  /** Every partition key (test helper). */
  partitions(): string[] {
    return [...this.docs.keys()].sort();
  }
}

/**
 * Read-modify-write with optimistic concurrency, retried on conflict. A change that returns the
 * current value itself (same object) writes nothing.
 */
export async function update<T>(
  store: DocumentStore,
  pk: string,
  sk: string,
  initial: () => T,
  change: (current: T) => T,
  attempts = 5,
): Promise<T> {
  for (let i = 1; ; i++) {
    const current = await store.get<T>(pk, sk);
    const next = change(current ? current.value : initial());
    if (current && next === current.value) return next;
    try {
      await store.put(pk, sk, next, current?.version ?? 0);
      return next;
    } catch (error) {
      if (!(error instanceof DocumentConflictError) || i >= attempts) throw error;
    }
  }
}
