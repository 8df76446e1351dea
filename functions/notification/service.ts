/**
 * The notification service: an alert reaches every citizen of its zones through one SNS
 * PublishBatch (one message per zone, `zone` message attribute for the subscribers' filters),
 * then CitizensNotified records the count per zone. Exactly once per zone, whatever the timing:
 * the alert's zone ledger (`ledger.ts`) lets only the holder of a live claim publish or announce a
 * zone, and records each step (claimed → sent → announced), so a retry after a partial success,
 * a second handler of the same message, or the same alert delivered twice never publishes nor
 * announces a zone again. Four ledger writes per alert (claim, sent, announced; a read first),
 * whatever its number of zones.
 *
 * The remaining window: a handler that dies after SNS accepted a zone and before it is recorded
 * sent. Its claim expires (the lease outlives the invocation) and the retry re-publishes the zone
 * with the same deterministic `messageKey` (`<eventId>:<zone>`) and `possibleDuplicate`, so the
 * SMS provider drops the copy by key; on a FIFO topic the key is the MessageDeduplicationId and
 * SNS drops it itself (5-minute window).
 */
import { randomUUID } from "node:crypto";
import type { AnyCityEvent } from "../../events/catalog.ts";
import type { CircuitBreaker } from "../shared/breaker.ts";
import type { Clock } from "../shared/clock.ts";
import type { DerivedDraft, DerivedEventSink } from "../shared/derived.ts";
import { type DocumentStore, update } from "../shared/documents.ts";
import type { ZoneChannel, ZoneMessage } from "./channel.ts";
import { advance, claimZones, type Ledger, release, ZoneInFlightError } from "./ledger.ts";
import { type Alert, alertOf, personalise } from "./messages.ts";
import type { CitizenRegistry, ZoneSummary } from "./registry.ts";

export interface NotificationDeps {
  readonly docs: DocumentStore;
  readonly registry: CitizenRegistry;
  readonly channel: ZoneChannel;
  readonly breaker: CircuitBreaker;
  readonly bus: DerivedEventSink;
  readonly clock: Clock;
  /** Least lease of a zone claim; longer than any handler runs (function timeout). @default 60000 */
  readonly leaseMs?: number;
}

export interface ZoneResult {
  readonly zone: string;
  readonly recipientsCount: number;
}

export const ledgerKey = (eventId: string) => ({ pk: `notification#${eventId}`, sk: "ledger" });

export class NotificationService {
  constructor(private readonly deps: NotificationDeps) {}

  /**
   * Notifies the alert's zones not yet notified. `minLeaseMs`: the claim lasts at least this
   * long (the invocation's remaining time plus a margin, so it outlives this handler).
   */
  async handle(event: AnyCityEvent, minLeaseMs = 0): Promise<ZoneResult[]> {
    const alert = alertOf(event);
    if (!alert) return [];
    const meta = event.detail.meta;
    const zones = [...new Set(alert.zones)];
    const owner = randomUUID();
    const leaseMs = Math.max(this.deps.leaseMs ?? 60_000, minLeaseMs);
    const key = ledgerKey(meta.eventId);
    let claim: ReturnType<typeof claimZones> | undefined;
    await update<Ledger>(
      this.deps.docs,
      key.pk,
      key.sk,
      () => ({}),
      (ledger) => {
        claim = claimZones(ledger, zones, owner, this.deps.clock.now(), leaseMs);
        return claim.ledger;
      },
    );
    if (!claim) return [];
    if (claim.busy.length > 0) {
      throw new ZoneInFlightError(
        meta.eventId,
        claim.busy,
        Math.max(1, claim.busyUntil - this.deps.clock.now()),
      );
    }
    const segments = new Map<string, ZoneSummary>();
    for (const zone of zones) segments.set(zone, await this.deps.registry.zone(zone));
    const refused = new Set<string>();
    try {
      const sent = await this.send(event, alert, claim.toSend, segments, refused, owner);
      const toAnnounce = [...claim.toAnnounce, ...sent];
      if (sent.length > 0) await this.step(key, (l) => advance(l, sent, owner, "sent"));
      if (toAnnounce.length > 0) {
        await this.deps.bus.publishDerived(event, this.notices(event, alert, toAnnounce, segments));
        await this.step(key, (l) => advance(l, toAnnounce, owner, "announced"));
      }
    } catch (error) {
      // Best effort: the retry takes this run's zones over at once (else after the lease).
      await this.step(key, (l) => release(l, owner, refused)).catch(() => undefined);
      throw error;
    }
    return zones.map((zone) => ({ zone, recipientsCount: segments.get(zone)?.count ?? 0 }));
  }

  /** Publishes the claimed zones in one batch; returns those SNS accepted, throws if any failed. */
  private async send(
    event: AnyCityEvent,
    alert: Alert,
    toSend: readonly { zone: string; possibleDuplicate: boolean }[],
    segments: ReadonlyMap<string, ZoneSummary>,
    refused: Set<string>,
    owner: string,
  ): Promise<string[]> {
    if (toSend.length === 0) return [];
    const meta = event.detail.meta;
    const priority = meta.priority;
    const channel = channelOf(priority);
    const messages: ZoneMessage[] = toSend.map(({ zone, possibleDuplicate }) => {
      const segment = segments.get(zone);
      return {
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
          recipientsCount: segment?.count ?? 0,
          recipientsByLanguage: segment?.byLanguage ?? {},
          messages: personalise(alert.text, zone),
          ...(alert.alertId ? { alertId: alert.alertId } : {}),
          ...(alert.incidentId ? { incidentId: alert.incidentId } : {}),
        },
      };
    });
    const { failed } = await this.deps.breaker.call("citizen-alerts.publish", (signal) =>
      this.deps.channel.publishBatch(messages, signal),
    );
    for (const f of failed) refused.add(f.zone);
    const sent = toSend.map((t) => t.zone).filter((z) => !refused.has(z));
    if (failed[0]) {
      if (sent.length > 0) {
        await this.step(ledgerKey(meta.eventId), (l) => advance(l, sent, owner, "sent"));
      }
      throw failed[0].error;
    }
    return sent;
  }

  private notices(
    event: AnyCityEvent,
    alert: Alert,
    zones: readonly string[],
    segments: ReadonlyMap<string, ZoneSummary>,
  ): DerivedDraft[] {
    const meta = event.detail.meta;
    return zones.map((zone) => ({
      type: "CitizensNotified",
      step: `notified:${zone}`,
      payload: {
        alertEventId: meta.eventId,
        alertType: alert.alertType,
        ...(alert.alertId ? { alertId: alert.alertId } : {}),
        ...(alert.incidentId ? { incidentId: alert.incidentId } : {}),
        zone,
        channel: channelOf(meta.priority),
        recipientsCount: segments.get(zone)?.count ?? 0,
        priority: meta.priority,
      },
    }));
  }

  private async step(key: { pk: string; sk: string }, change: (l: Ledger) => Ledger) {
    await update<Ledger>(this.deps.docs, key.pk, key.sk, () => ({}), change);
  }

  /** The alert's zone ledger (tests, tools). */
  async ledger(eventId: string): Promise<Ledger | undefined> {
    const key = ledgerKey(eventId);
    return (await this.deps.docs.get<Ledger>(key.pk, key.sk))?.value;
  }
}

const channelOf = (priority: string) =>
  priority === "critical" || priority === "high" ? "sms" : "push";
