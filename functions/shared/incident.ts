/**
 * The incident a critical event belongs to, derived from the event alone, so the emergency
 * service (which opens the incident), the traffic service (which reroutes around it) and the
 * notification service name the same incident without talking to each other.
 *
 * Events of the same kind family (smoke and fire alarm are one family) at the same place
 * (building, else intersection, else zone; a weather alert's id) and with the same correlationId
 * name ONE incident: the dense smoke and the fire alarm of one building fire join the incident
 * the first of them opened instead of opening a second one (and competing for units and
 * pre-emption). Pure.
 */
import { createHash } from "node:crypto";
import type { AnyCityEvent } from "../../events/catalog.ts";

/** Kind families: events of one family at one place are one incident. */
const FAMILY_OF: Readonly<Record<string, string>> = {
  FireAlarmRaised: "fire",
  SmokeDetected: "fire",
  GasLeakDetected: "gas",
  AccidentDetected: "accident",
  IntrusionDetected: "intrusion",
  WeatherAlertIssued: "weather",
};

/** The family and place an event's incident is keyed by. */
export function incidentScope(event: AnyCityEvent): { family: string; place: string } {
  const family = FAMILY_OF[event.detailType] ?? event.detailType;
  const d = event.detail as {
    buildingId?: string;
    alertId?: string;
    location?: { zone?: string; intersectionId?: string };
  };
  const place =
    (d.buildingId && `b:${d.buildingId}`) ||
    (d.alertId && `a:${d.alertId}`) ||
    (d.location?.intersectionId && `i:${d.location.intersectionId}`) ||
    `z:${d.location?.zone ?? event.detail.meta.zone}`;
  return { family, place };
}

/**
 * `inc-<family>-<hash of correlationId + place>` (at most 4 + 9 + 1 + 20 characters, within the
 * catalog's IdSchema).
 */
export function incidentIdOf(event: AnyCityEvent): string {
  const { family, place } = incidentScope(event);
  const digest = createHash("sha256")
    .update(`${event.detail.meta.correlationId}|${family}|${place}`)
    .digest("hex")
    .slice(0, 20);
  return `inc-${family}-${digest}`;
}
