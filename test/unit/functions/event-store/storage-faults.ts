/**
 * Fault injection and request counting around any EventStorageAdapter (in-memory or DynamoDB):
 * counts calls per method, and makes the next commit puts fail before reaching the storage
 * (a throttle) or after it (the put landed but its answer was lost).
 */
import { EventStoreStorageError } from "../../../../functions/event-store/errors.ts";
import type { Commit, EventStorageAdapter } from "../../../../functions/event-store/port.ts";

export interface InstrumentedStorage {
  readonly storage: EventStorageAdapter;
  /** Calls per adapter method since the last `reset`. */
  readonly calls: Record<string, number>;
  /** The next N commit puts fail without writing. */
  failPuts: number;
  /** The next N commit puts write, then fail as if the answer was lost. */
  losePutAnswers: number;
  reset(): void;
}

export function instrument(inner: EventStorageAdapter): InstrumentedStorage {
  const calls: Record<string, number> = {};
  const count = (method: string) => {
    calls[method] = (calls[method] ?? 0) + 1;
  };
  const counted =
    <A extends unknown[], R>(method: string, fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      count(method);
      return fn(...args);
    };
  const state: InstrumentedStorage = {
    calls,
    failPuts: 0,
    losePutAnswers: 0,
    reset: () => {
      for (const key of Object.keys(calls)) delete calls[key];
    },
    storage: {
      async putCommit(commit: Commit) {
        count("putCommit");
        if (state.failPuts > 0) {
          state.failPuts -= 1;
          throw new EventStoreStorageError(`injected: throttled put of ${commit.streamId}`);
        }
        await inner.putCommit(commit);
        if (state.losePutAnswers > 0) {
          state.losePutAnswers -= 1;
          throw new EventStoreStorageError(`injected: answer lost for ${commit.streamId}`);
        }
      },
      readHeadVersion: counted("readHeadVersion", inner.readHeadVersion.bind(inner)),
      readCommitHolding: counted("readCommitHolding", inner.readCommitHolding.bind(inner)),
      readCommits: counted("readCommits", inner.readCommits.bind(inner)),
      readCommitsInBucket: counted("readCommitsInBucket", inner.readCommitsInBucket.bind(inner)),
      readRecentCommits: counted("readRecentCommits", inner.readRecentCommits.bind(inner)),
      putSnapshot: counted("putSnapshot", inner.putSnapshot.bind(inner)),
      latestSnapshot: counted("latestSnapshot", inner.latestSnapshot.bind(inner)),
    },
  };
  return state;
}
