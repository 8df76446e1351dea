/**
 * What the city API reads, as ports: the event store's public reads, the read-models documents,
 * the analytics service's queries, a clock. runtime.ts wires them to DynamoDB; tests may wire
 * in-memory twins.
 */
import type { AnalyticsService } from "../analytics/service.ts";
import type { StreamState } from "../event-store/projections.ts";
import type { EventStore } from "../event-store/store.ts";
import type { Clock } from "../shared/clock.ts";
import type { DocumentStore } from "../shared/documents.ts";
import type { StoryStore } from "./story.ts";

export interface ApiDeps {
  readonly store: StoryStore & Pick<EventStore<StreamState>, "state" | "stateAt">;
  readonly docs: DocumentStore;
  readonly analytics: Pick<
    AnalyticsService,
    "minute" | "liveDensity" | "hourlyDistribution" | "lastSevenDays"
  >;
  readonly clock: Clock;
}

/** A route's answer: JSON (200), or text with its content type. */
export type RouteAnswer =
  | { readonly json: unknown }
  | { readonly text: string; readonly type: string };
