/**
 * Port: publish one message to a zone's citizens (SNS fan-out with a `zone` message attribute
 * that subscribers filter on). In-memory adapter for unit tests.
 */
export interface ZoneMessage {
  readonly zone: string;
  readonly priority: string;
  readonly alertType: string;
  /** JSON body: texts per language and counts; no personal data. */
  readonly body: Readonly<Record<string, unknown>>;
  /** Deduplicates retries at the provider (and on a FIFO topic, at SNS). */
  readonly messageKey: string;
  /** An earlier attempt may have published this zone already (crash before it was recorded). */
  readonly possibleDuplicate?: boolean;
}

export interface ZoneChannel {
  publish(message: ZoneMessage, signal: AbortSignal): Promise<void>;
}

export class InMemoryZoneChannel implements ZoneChannel {
  readonly sent: ZoneMessage[] = [];
  /** Fail publishes to these zones (fault injection). */
  readonly failZones = new Set<string>();

  async publish(message: ZoneMessage): Promise<void> {
    if (this.failZones.has(message.zone)) {
      throw new Error(`InMemoryZoneChannel: injected failure for zone ${message.zone}`);
    }
    this.sent.push(message);
  }
}
