/**
 * The notification service: an alert reaches every citizen of its zones through ONE publish per
 * zone (fan-out), then CitizensNotified records the count per zone. Per-zone progress is a read
 * model, so a retry after a partial failure never re-sends a zone that is recorded done.
 *
 * The remaining window: a crash after SNS accepted a zone's publish and before the zone is
 * recorded done re-publishes that zone on retry (SNS standard topics cannot deduplicate). Before
 * publishing, the zone is recorded as "publishing"; a retry that finds it there re-publishes with
 * the same deterministic `messageKey` (`<eventId>:<zone>`) and `possibleDuplicate`, both message
 * attributes, so the SMS provider drops the second copy by key. On a FIFO topic the key is the
 * MessageDeduplicationId and SNS drops it itself (within its 5-minute window).
 */
import type { AnyCityEvent } from "../../events/catalog.ts";
import type { CircuitBreaker } from "../shared/breaker.ts";
import type { DerivedDraft, DerivedEventSink } from "../shared/derived.ts";
import { type DocumentStore, update } from "../shared/documents.ts";
import type { ZoneChannel } from "./channel.ts";
import { alertOf, personalise } from "./messages.ts";
import type { CitizenRegistry } from "./registry.ts";

export interface NotificationDeps {
  readonly docs: DocumentStore;
  readonly registry: CitizenRegistry;
  readonly channel: ZoneChannel;
  readonly breaker: CircuitBreaker;
  readonly bus: DerivedEventSink;
}

export interface ZoneResult {
  readonly zone: string;
  readonly recipientsCount: number;
}

const progressKey = (eventId: string) => ({ pk: `notification#${eventId}`, sk: "zones" });
const claimKey = (eventId: string) => ({ pk: `notification#${eventId}`, sk: "publishing" });

export class NotificationService {
  constructor(private readonly deps: NotificationDeps) {}

  async handle(event: AnyCityEvent): Promise<ZoneResult[]> {
    const alert = alertOf(event);
    if (!alert) return [];
    const meta = event.detail.meta;
    const priority = meta.priority;
    const channel = priority === "critical" || priority === "high" ? "sms" : "push";
    const key = progressKey(meta.eventId);
    const claim = claimKey(meta.eventId);
    const [doneDoc, claimedDoc] = await Promise.all([
      this.deps.docs.get<string[]>(key.pk, key.sk),
      this.deps.docs.get<string[]>(claim.pk, claim.sk),
    ]);
    const done = new Set(doneDoc?.value ?? []);
    const claimed = new Set(claimedDoc?.value ?? []);
    const results: ZoneResult[] = [];
    for (const zone of [...new Set(alert.zones)]) {
      const segment = await this.deps.registry.zone(zone);
      results.push({ zone, recipientsCount: segment.count });
      if (done.has(zone)) continue;
      const possibleDuplicate = claimed.has(zone);
      if (!possibleDuplicate) {
        await update(
          this.deps.docs,
          claim.pk,
          claim.sk,
          () => [] as string[],
          (z) => [...new Set([...z, zone])],
        );
      }
      await this.deps.breaker.call("citizen-alerts.publish", (signal) =>
        this.deps.channel.publish(
          {
            zone,
            priority,
            alertType: alert.alertType,
            messageKey: `${meta.eventId}:${zone}`,
            ...(possibleDuplicate ? { possibleDuplicate } : {}),
            body: {
              alertType: alert.alertType,
              cancellation: alert.cancellation,
              zone,
              priority,
              channel,
              recipientsCount: segment.count,
              recipientsByLanguage: segment.byLanguage,
              messages: personalise(alert.text, zone),
              ...(alert.alertId ? { alertId: alert.alertId } : {}),
              ...(alert.incidentId ? { incidentId: alert.incidentId } : {}),
            },
          },
          signal,
        ),
      );
      await update(
        this.deps.docs,
        key.pk,
        key.sk,
        () => [] as string[],
        (z) => [...new Set([...z, zone])],
      );
    }
    const derived: DerivedDraft[] = results.map((r) => ({
      type: "CitizensNotified",
      step: `notified:${r.zone}`,
      payload: {
        alertEventId: meta.eventId,
        alertType: alert.alertType,
        ...(alert.alertId ? { alertId: alert.alertId } : {}),
        ...(alert.incidentId ? { incidentId: alert.incidentId } : {}),
        zone: r.zone,
        channel,
        recipientsCount: r.recipientsCount,
        priority,
      },
    }));
    if (derived.length > 0) await this.deps.bus.publishDerived(event, derived);
    return results;
  }
}
