/**
 * What a scenario produces: timed steps, pure data. The runner turns them into PutEvents calls.
 *
 * - `event`: one draft from one producer, published through that producer's publisher (which
 *   validates it and stamps meta: sequence, Lamport, ids).
 * - `reorder`: two drafts of one producer, stamped in order (sequence n, n+1) but delivered
 *   n+1 first — an out-of-order delivery.
 * - `duplicate`: the event with `eventId`, already sent, delivered again byte for byte.
 * - `malformed`: a raw PutEvents entry that breaks the catalog, sent bypassing validation.
 */
import type { AnyEventDraft } from "../events/draft.ts";

/** A PutEvents entry as sent on the wire when bypassing the publisher. */
export interface RawEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
}

interface StepBase {
  /** When to send, in milliseconds after the scenario starts. */
  readonly atMs: number;
}

export interface EventStep extends StepBase {
  readonly kind: "event";
  readonly producerId: string;
  readonly draft: AnyEventDraft;
}

export interface ReorderStep extends StepBase {
  readonly kind: "reorder";
  readonly producerId: string;
  /** Stamped in this order, delivered in reverse. */
  readonly drafts: readonly [AnyEventDraft, AnyEventDraft];
}

export interface DuplicateStep extends StepBase {
  readonly kind: "duplicate";
  /** The eventId of an earlier `event` step. */
  readonly eventId: string;
}

export interface MalformedStep extends StepBase {
  readonly kind: "malformed";
  readonly entry: RawEntry;
  /** What is wrong with it, for the summary and the docs. */
  readonly reason: string;
}

export type ScenarioStep = EventStep | ReorderStep | DuplicateStep | MalformedStep;

/** Every draft a step carries (a reorder carries two). */
export function draftsOf(step: ScenarioStep): readonly AnyEventDraft[] {
  if (step.kind === "event") return [step.draft];
  if (step.kind === "reorder") return step.drafts;
  return [];
}
