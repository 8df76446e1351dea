/**
 * The delivery journal: an append-only file of the deliveries the engine still owes (a first
 * attempt not yet settled, or a retry waiting on its backoff), so that a local cloud killed
 * (even `kill -9`) and restarted with the same `--data-dir` finishes them. See
 * docs/RELIABILITY.md ("Durable acceptance").
 *
 * One JSON line per record: `{"add":Delivery}` (written, synchronously, before PutEvents answers
 * and again when a retry is scheduled, with its attempt count) and `{"del":[keys]}` (buffered to
 * the next turn of the event loop: a settlement lost in a crash only causes a redelivery, which
 * AWS's at-least-once delivery allows). Opening the journal folds it into the deliveries still
 * owed and rewrites it compactly; a torn last line (a crash mid-write) is skipped.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import type { TargetRecord } from "../store.ts";
import type { DeliveryRef, EventEnvelope } from "../types.ts";

/** One delivery of one event to one rule target, as journaled. */
export interface JournaledDelivery {
  /** Unique per delivery (an event delivered twice to a target, e.g. by a replay, has two). */
  readonly key: string;
  readonly ref: DeliveryRef;
  readonly target: TargetRecord;
  readonly event: EventEnvelope;
  /** Epoch ms the event was first received (its age for MaximumEventAgeInSeconds). */
  readonly ingestedAt: number;
  readonly hops: number;
  /** The X-Ray trace header the event carries on (Parent = its PutEvents span). */
  readonly traceHeader?: string;
  /** Attempts made and failed so far. */
  attempts: number;
}

/** Records appended since the last rewrite before the file is compacted (when mostly settled). */
const COMPACT_AFTER_RECORDS = 20_000;

export class DeliveryJournal {
  private fd: number;
  private readonly live = new Map<string, JournaledDelivery>();
  private settled: string[] = [];
  private flushScheduled = false;
  private appended = 0;
  private readonly path: string;
  /** Deliveries journaled by the previous process and never settled: to be resumed. */
  readonly recovered: readonly JournaledDelivery[];

  /** Opens (creating) `<dir>/deliveries.jsonl`; `recovered` holds what the last process owed. */
  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, "deliveries.jsonl");
    for (const delivery of readJournal(this.path)) this.live.set(delivery.key, delivery);
    this.recovered = [...this.live.values()];
    this.fd = this.rewrite();
  }

  /** Durably records deliveries (new, or with a new attempt count) before returning. */
  add(deliveries: readonly JournaledDelivery[]): void {
    if (deliveries.length === 0) return;
    const text = deliveries.map((d) => `${JSON.stringify({ add: d })}\n`).join("");
    writeSync(this.fd, text);
    for (const d of deliveries) this.live.set(d.key, d);
    this.appended += deliveries.length;
  }

  /** The delivery is done (delivered, dead-lettered or dropped): written on the next turn. */
  settle(key: string): void {
    if (!this.live.delete(key)) return;
    this.settled.push(key);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Deliveries journaled and not settled. */
  get size(): number {
    return this.live.size;
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.settled.length === 0 || this.fd < 0) return;
    writeSync(this.fd, `${JSON.stringify({ del: this.settled })}\n`);
    this.appended += 1;
    this.settled = [];
    if (this.appended > COMPACT_AFTER_RECORDS && this.appended > 10 * this.live.size) {
      closeSync(this.fd);
      this.fd = this.rewrite();
    }
  }

  /** Writes the settlements still buffered and closes the file; what is live stays owed. */
  close(): void {
    if (this.fd < 0) return;
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
  }

  /** Replaces the file by the live deliveries (temp file + rename) and opens it for appending. */
  private rewrite(): number {
    const tmp = `${this.path}.tmp`;
    const lines = [...this.live.values()].map((d) => `${JSON.stringify({ add: d })}\n`);
    writeFileSync(tmp, lines.join(""));
    renameSync(tmp, this.path);
    this.appended = this.live.size;
    return openSync(this.path, "a");
  }
}

/** Folds a journal file into the deliveries still owed (in the order they were first added). */
function readJournal(path: string): JournaledDelivery[] {
  if (!existsSync(path)) return [];
  const owed = new Map<string, JournaledDelivery>();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line === "") continue;
    let record: { add?: JournaledDelivery; del?: string[] };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      continue; // a line torn by a crash mid-write: its delivery was never acknowledged
    }
    if (record.add) owed.set(record.add.key, record.add);
    for (const key of record.del ?? []) owed.delete(key);
  }
  return [...owed.values()];
}
