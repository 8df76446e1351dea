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

/** A message the channel refused (certainly not sent), with why. */
export interface RefusedMessage {
  readonly zone: string;
  readonly error: Error;
}

export interface ZoneChannel {
  /**
   * Publishes one message per zone in as few calls as allowed (SNS PublishBatch: 10 per call).
   * Returns the messages refused; throws when the outcome is unknown (timeout, network).
   */
  publishBatch(
    messages: readonly ZoneMessage[],
    signal: AbortSignal,
  ): Promise<{ failed: RefusedMessage[] }>;
}

export class InMemoryZoneChannel implements ZoneChannel {
  readonly sent: ZoneMessage[] = [];
  /** Refuse messages to these zones (fault injection). */
  readonly failZones = new Set<string>();
  /** Awaited before each batch is accepted (fault injection: a slow publish). */
  beforeAccept: (() => Promise<void>) | undefined;

  async publishBatch(messages: readonly ZoneMessage[]): Promise<{ failed: RefusedMessage[] }> {
    await this.beforeAccept?.();
    const failed: RefusedMessage[] = [];
    for (const message of messages) {
      if (this.failZones.has(message.zone)) {
        failed.push({
          zone: message.zone,
          error: new Error(`InMemoryZoneChannel: injected failure for zone ${message.zone}`),
        });
      } else this.sent.push(message);
    }
    return { failed };
  }
}
