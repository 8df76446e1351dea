/**
 * A read-through cache in front of a document store, per container: a document this container
 * read or wrote is served from memory (for at most `maxAgeMs`), so a read-modify-write of a
 * document this container keeps writing costs one conditional put instead of a get and a put.
 * Writes stay conditional on the version: when another writer got there first the put fails
 * (DocumentConflictError), the entry is forgotten, and the caller's retry (`update()`) reads the
 * current document. A write whose outcome is unknown (any other error) forgets the entry too.
 * The cache holds its own copies (structuredClone on the way in and out), as the stores behind it
 * do: changing an object after `put`, or one that `get` returned, never changes what is cached.
 * See docs/RELIABILITY.md (consumers: read models).
 */
import type { DocumentStore, Versioned } from "./documents.ts";

export interface CachedDocumentsOptions {
  /** How long a cached document is served without reading it again. @default 30000 */
  readonly maxAgeMs?: number;
  /** Most documents kept (least recently used dropped first). @default 5000 */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly doc: Versioned<unknown> | undefined;
  readonly at: number;
}

export class CachedDocumentStore implements DocumentStore {
  private readonly entries = new Map<string, Entry>();
  private readonly maxAgeMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly inner: DocumentStore,
    options: CachedDocumentsOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 30_000;
    this.maxEntries = options.maxEntries ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  async get<T>(pk: string, sk: string): Promise<Versioned<T> | undefined> {
    const key = keyOf(pk, sk);
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < this.maxAgeMs) {
      this.entries.delete(key); // re-inserted: most recently used last
      this.entries.set(key, hit);
      return structuredClone(hit.doc) as Versioned<T> | undefined;
    }
    const doc = await this.inner.get<T>(pk, sk);
    this.remember(key, doc);
    return structuredClone(doc);
  }

  async put<T>(pk: string, sk: string, value: T, expectedVersion: number): Promise<void> {
    const key = keyOf(pk, sk);
    try {
      await this.inner.put(pk, sk, value, expectedVersion);
    } catch (error) {
      this.entries.delete(key);
      throw error;
    }
    this.remember(key, { value, version: expectedVersion + 1 });
  }

  list<T>(pk: string): Promise<{ sk: string; value: T; version: number }[]> {
    return this.inner.list<T>(pk);
  }

  async add(pk: string, sk: string, deltas: Readonly<Record<string, number>>): Promise<void> {
    this.entries.delete(keyOf(pk, sk));
    await this.inner.add(pk, sk, deltas);
  }

  /** Drops a document from the cache (the next get reads it). */
  forget(pk: string, sk: string): void {
    this.entries.delete(keyOf(pk, sk));
  }

  private remember(key: string, doc: Versioned<unknown> | undefined): void {
    this.entries.delete(key);
    this.entries.set(key, { doc: structuredClone(doc), at: this.now() });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}

const keyOf = (pk: string, sk: string) => `${pk}\u0000${sk}`;
