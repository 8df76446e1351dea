/**
 * An incident's saga document as one delivery of its cause event writes it. Each step is saved
 * with its events (the document's outbox, functions/shared/outbox.ts) before they are published;
 * the next step's write drops them, and `settle` drops the last. A delivery that finds an outbox
 * (the delivery before it died after the write) publishes it first: the saved drafts again, under
 * ids derived from the cause, never a step recomputed (other units, another reservation time, a
 * second Dispatch API call). So no step is saved without its events or published unsaved, and a
 * step goes on the bus again only when its environment died after the bus took it and before the
 * next write; the repeat is the same event, which consumers drop by id (docs/RELIABILITY.md §2).
 * One writer at a time: only the cause's deliveries write the document, serialized by the
 * idempotency record's in-progress lock and by the conditional put on the version.
 */
import type { AnyCityEvent } from "../../events/catalog.ts";
import type { DerivedDraft, DerivedEventSink } from "../shared/derived.ts";
import type { DocumentStore } from "../shared/documents.ts";
import { type OutboxEntry, outboxEntry, publishOutbox } from "../shared/outbox.ts";
import { type SagaState, sagaKey, sagaStateAfter } from "./saga-state.ts";

/** The saga document with the events of its latest step (published, or maybe not yet). */
export type SagaDocumentValue = SagaState & { readonly outbox?: readonly OutboxEntry[] };

const withoutOutbox = ({ outbox: _, ...state }: SagaDocumentValue): SagaState => state;

export class SagaDocument {
  private constructor(
    private readonly deps: { readonly docs: DocumentStore; readonly bus: DerivedEventSink },
    private readonly cause: AnyCityEvent,
    private value: SagaDocumentValue,
    private version: number,
  ) {}

  /** The incident's document, or `fresh` (not stored yet: the first write claims it). */
  static async load(
    deps: { readonly docs: DocumentStore; readonly bus: DerivedEventSink },
    cause: AnyCityEvent,
    incidentId: string,
    fresh: () => SagaState,
  ): Promise<SagaDocument> {
    const key = sagaKey(incidentId);
    const stored = await deps.docs.get<SagaDocumentValue>(key.pk, key.sk);
    return new SagaDocument(deps, cause, stored?.value ?? fresh(), stored?.version ?? 0);
  }

  get state(): SagaState {
    return withoutOutbox(this.value);
  }

  /** Publishes the outbox an earlier delivery of the cause saved (it may have died before). */
  async recover(): Promise<void> {
    if (this.value.outbox) await publishOutbox(this.deps.bus, this.value.outbox);
  }

  /** Saves the state the step leads to with its events, then publishes them. */
  async emit(drafts: DerivedDraft[]): Promise<void> {
    const entry = outboxEntry(this.cause, drafts);
    await this.save({ ...drafts.reduce(sagaStateAfter, this.state), outbox: [entry] });
    await publishOutbox(this.deps.bus, [entry]);
  }

  /** Drops the published events of the last step (one write, when there are any). */
  async settle(): Promise<void> {
    if (this.value.outbox) await this.save(this.state);
  }

  /** A conditional put at the version read: a second writer gets a conflict. */
  private async save(next: SagaDocumentValue): Promise<void> {
    const key = sagaKey(this.value.incidentId);
    await this.deps.docs.put(key.pk, key.sk, next, this.version);
    this.version += 1;
    this.value = next;
  }
}
