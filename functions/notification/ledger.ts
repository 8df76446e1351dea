/**
 * The per-alert zone ledger (read model `notification#<eventId>` / `ledger`): where each zone of
 * an alert stands — claimed (a handler is publishing it), sent (SNS accepted it), announced
 * (CitizensNotified is on the bus) — and which handler holds it, until when. Only the holder of a
 * live claim advances a zone, so two handlers of one alert (a redelivery while the first still
 * runs: a second environment after the visibility timeout, the same event delivered twice) never
 * both publish nor both announce it. The lease outlives the function's timeout; a claim found
 * expired means its holder died, maybe after SNS accepted the publish: the zone is re-sent marked
 * `possibleDuplicate` with the same message key. Pure functions; see docs/RELIABILITY.md.
 */
import { ConflictError } from "../shared/errors.ts";

export type ZoneStage = "claimed" | "sent" | "announced";

export interface ZoneEntry {
  readonly stage: ZoneStage;
  /** The handler run holding the zone (random per run). */
  readonly owner: string;
  /** Epoch ms the holder's lease ends; 0 = released. */
  readonly until: number;
  /** An earlier holder may have published it already (it died or timed out in between). */
  readonly possibleDuplicate?: boolean;
}

export type Ledger = Readonly<Record<string, ZoneEntry>>;

/** Another handler holds a zone of this alert: retried once its lease ends. */
export class ZoneInFlightError extends ConflictError {
  readonly retryAfterMs: number;
  constructor(eventId: string, zones: readonly string[], retryAfterMs: number) {
    super(
      `Alert ${eventId}: zone(s) ${zones.join(", ")} are being notified by another handler (lease ends in ${retryAfterMs} ms); retried after that, never sent twice`,
    );
    this.name = "ZoneInFlightError";
    this.retryAfterMs = retryAfterMs;
  }
}

export interface Claimed {
  readonly ledger: Ledger;
  /** Zones this run must publish, with whether an earlier run may have published them. */
  readonly toSend: readonly { readonly zone: string; readonly possibleDuplicate: boolean }[];
  /** Zones sent but not yet announced that this run took over. */
  readonly toAnnounce: readonly string[];
  /** Zones held by another run: nothing was claimed. */
  readonly busy: readonly string[];
  readonly busyUntil: number;
}

/** Claims every zone that is not announced and not held by a live claim of another run. */
export function claimZones(
  ledger: Ledger,
  zones: readonly string[],
  owner: string,
  now: number,
  leaseMs: number,
): Claimed {
  const busy = zones.filter((z) => {
    const e = ledger[z];
    return e !== undefined && e.stage !== "announced" && e.owner !== owner && e.until > now;
  });
  if (busy.length > 0) {
    const busyUntil = Math.max(...busy.map((z) => ledger[z]?.until ?? now));
    return { ledger, toSend: [], toAnnounce: [], busy, busyUntil };
  }
  const next: Record<string, ZoneEntry> = { ...ledger };
  const toSend: { zone: string; possibleDuplicate: boolean }[] = [];
  const toAnnounce: string[] = [];
  for (const zone of zones) {
    const e = ledger[zone];
    if (e?.stage === "announced") continue;
    if (e?.stage === "sent") {
      next[zone] = { stage: "sent", owner, until: now + leaseMs };
      toAnnounce.push(zone);
      continue;
    }
    const possibleDuplicate = e !== undefined; // claimed by a run that did not finish
    next[zone] = {
      stage: "claimed",
      owner,
      until: now + leaseMs,
      ...(possibleDuplicate ? { possibleDuplicate } : {}),
    };
    toSend.push({ zone, possibleDuplicate });
  }
  return { ledger: next, toSend, toAnnounce, busy: [], busyUntil: 0 };
}

/** Moves this run's zones to `stage`. */
export function advance(
  ledger: Ledger,
  zones: readonly string[],
  owner: string,
  stage: ZoneStage,
): Ledger {
  const next: Record<string, ZoneEntry> = { ...ledger };
  for (const zone of zones) {
    const e = ledger[zone];
    if (e?.owner === owner) next[zone] = { stage, owner, until: e.until };
  }
  return next;
}

/**
 * After a failure: zones SNS refused (`refused`, certainly not sent) are forgotten unless an
 * earlier run may have sent them; this run's other zones keep their stage with the lease ended,
 * so the retry takes them over at once (a claimed one re-sent as a possible duplicate).
 */
export function release(ledger: Ledger, owner: string, refused: ReadonlySet<string>): Ledger {
  const next: Record<string, ZoneEntry> = { ...ledger };
  for (const [zone, e] of Object.entries(ledger)) {
    if (e.owner !== owner || e.stage === "announced") continue;
    if (e.stage === "claimed" && refused.has(zone) && !e.possibleDuplicate) delete next[zone];
    else next[zone] = { ...e, until: 0 };
  }
  return next;
}
