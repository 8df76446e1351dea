/**
 * Backpressure for the simulated producers (docs/OPERATIONS.md, "Crisis mode"): while the city
 * says it is in crisis, info-priority readings (statistics, maintenance feeds) slow down to one in
 * `keepOneIn`; critical, high and normal events are never held back. What was held back is
 * counted, never silently dropped.
 */
import { CATALOG } from "../../events/catalog.ts";
import type { AnyEventDraft } from "../../events/draft.ts";
import type { Priority } from "../../events/envelope.ts";

/** The draft's priority: its own, else the catalog's rule for its payload. */
export function priorityOfDraft(draft: AnyEventDraft): Priority {
  if (draft.priority) return draft.priority;
  const def = CATALOG[draft.type] as { priority(p: unknown): Priority };
  return def.priority(draft.payload);
}

export class InfoBackpressure {
  /** Info readings not sent because the city was in crisis. */
  heldBack = 0;
  private seen = 0;

  constructor(
    /** True while producers are told to slow down (the crisis monitor's mode). */
    private readonly slowDown: () => boolean,
    private readonly keepOneIn = 10,
  ) {
    if (!Number.isInteger(keepOneIn) || keepOneIn < 1) {
      throw new RangeError(`keepOneIn must be an integer >= 1, got ${keepOneIn}`);
    }
  }

  /** Whether to send the draft now. */
  admit(draft: AnyEventDraft): boolean {
    if (!this.slowDown() || priorityOfDraft(draft) !== "info") return true;
    this.seen++;
    if (this.seen % this.keepOneIn === 1 || this.keepOneIn === 1) return true;
    this.heldBack++;
    return false;
  }
}
