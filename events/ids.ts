/**
 * Event ids: ULIDs for new events (clock and randomness injected), deterministic ULID-shaped ids
 * for derived events, so a retried handler re-emits the same ids and the store deduplicates.
 */
import { createHash } from "node:crypto";
import { decodeTime, encodeTime, ulid } from "ulid";
import { ULID_PATTERN } from "./envelope.ts";
import { CityEventError } from "./errors.ts";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const MAX_ULID_TIME = 2 ** 48 - 1;

/** A new ULID at `nowMs`, its random part drawn from `random` (a PRNG in [0, 1)). */
export function newEventId(nowMs: number, random: () => number = Math.random): string {
  return ulid(nowMs, random);
}

/**
 * A short random instance id (8 Crockford base32 characters, 40 bits) drawn from `random`, e.g.
 * `"7K3QX9ZD"`: the per-instance part of a producer id (`svc-traffic/7K3QX9ZD`).
 */
export function newInstanceId(random: () => number = Math.random): string {
  let id = "";
  for (let i = 0; i < 8; i++) id += CROCKFORD[Math.floor(random() * 32) & 31];
  return id;
}

/** Is this a ULID (26 Crockford base32 characters, time within 48 bits)? */
export function isUlid(value: unknown): value is string {
  return typeof value === "string" && ULID_PATTERN.test(value);
}

/**
 * The id of the event a handler derives from `causeEventId` at `step` (e.g. "incident-opened",
 * or a number for the n-th derived event). Same input → same id. The time part is the cause's
 * time + 1 ms, so a derived id sorts after its cause; the random part is a SHA-256 of both.
 */
export function derivedEventId(causeEventId: string, step: string | number): string {
  if (!isUlid(causeEventId)) {
    throw new CityEventError(
      `derivedEventId: causeEventId must be a ULID (26 Crockford base32 characters), got ${JSON.stringify(causeEventId)}`,
    );
  }
  if (typeof step === "string" ? step.length === 0 : !Number.isSafeInteger(step) || step < 0) {
    throw new CityEventError(
      `derivedEventId: step must be a non-empty string or an integer >= 0, got ${JSON.stringify(step)}`,
    );
  }
  const causeTime = decodeTime(causeEventId);
  const time = encodeTime(Math.min(causeTime + 1, MAX_ULID_TIME), 10);
  const digest = createHash("sha256")
    .update(`${causeEventId}\u0000${String(step)}`)
    .digest();
  let randomPart = "";
  // 16 characters x 5 bits = 80 bits, taken from the first 10 bytes of the digest
  let bits = 0;
  let acc = 0;
  for (let i = 0; randomPart.length < 16; i++) {
    acc = (acc << 8) | (digest[i] ?? 0);
    bits += 8;
    while (bits >= 5 && randomPart.length < 16) {
      bits -= 5;
      randomPart += CROCKFORD[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return `${time}${randomPart}`;
}
