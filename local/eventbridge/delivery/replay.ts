/**
 * Runs replays: STARTING → RUNNING → COMPLETED, each step on the injected scheduler. Archived
 * events received in [EventStartTime, EventEndTime) are put on the destination bus with a
 * `replay-name` field (as AWS marks them), only to the FilterArns rules when given.
 */
import type { EventBridgeStore, ReplayRecord } from "../store.ts";
import type { Clock, EventEnvelope } from "../types.ts";
import type { DeliveryEngine } from "./engine.ts";

export class ReplayRunner {
  constructor(
    private readonly store: EventBridgeStore,
    private readonly engine: DeliveryEngine,
    private readonly clock: Clock,
  ) {}

  start(replay: ReplayRecord, archiveName: string): void {
    this.engine.schedule(0, () => this.run(replay, archiveName));
  }

  private setState(replay: ReplayRecord, state: ReplayRecord["state"], reason?: string): void {
    replay.state = state;
    if (reason === undefined) delete replay.stateReason;
    else replay.stateReason = reason;
    this.engine.emit({
      type: "replay-state",
      replayName: replay.name,
      state,
      replayedCount: replay.replayedCount,
      totalCount: replay.totalCount,
    });
  }

  private run(replay: ReplayRecord, archiveName: string): void {
    const archive = this.store.archives.get(archiveName);
    const busName = this.store.busByArn(replay.destination.Arn)?.name;
    if (!archive || busName === undefined) {
      this.setState(replay, "FAILED", "The archive or the destination event bus no longer exists.");
      return;
    }
    const selected = archive.events.filter(
      (e) => e.ingestedAt >= replay.eventStartTime && e.ingestedAt < replay.eventEndTime,
    );
    replay.totalCount = selected.length;
    this.setState(replay, "RUNNING");
    const onlyRules = replay.destination.FilterArns?.length
      ? new Set(replay.destination.FilterArns)
      : undefined;
    for (const archived of selected) {
      const event = { ...(JSON.parse(archived.json) as EventEnvelope), "replay-name": replay.name };
      this.engine.publish(busName, event, {
        ingestedAt: this.clock.now(),
        ...(onlyRules ? { onlyRules } : {}),
      });
      replay.replayedCount += 1;
      replay.eventLastReplayedTime = archived.ingestedAt;
    }
    this.engine.schedule(0, () => {
      replay.replayEndTime = this.clock.now();
      this.setState(replay, "COMPLETED");
    });
  }
}
