/**
 * The crisis controller (docs/OPERATIONS.md, "Crisis mode"): keeps the crisis state in the
 * read-models table, turns each decision (decide.ts) into rule switches — the `info`
 * subscriptions' rules disabled in a crisis, enabled after — and announces every transition as a
 * CrisisModeChanged event on the bus. The AWS Lambda (handler.ts), the local monitor
 * (local/crisis/monitor.ts) and `buzzville crisis` drive this one class.
 */
import { isDeepStrictEqual } from "node:util";
import type { PayloadInputOf } from "../../events/catalog.ts";
import type { CrisisSpec } from "../../infra/topology.ts";
import type { Clock } from "../shared/clock.ts";
import { type DocumentStore, update } from "../shared/documents.ts";
import {
  type CrisisDecision,
  type CrisisMode,
  type CrisisState,
  type CriticalBacklog,
  decide,
  NORMAL,
  operatorCommand,
  type Reading,
} from "./decide.ts";

/** Port: switch EventBridge rules on and off (the EventBridge adapter is rules-adapter.ts). */
export interface RuleSwitch {
  setEnabled(ruleName: string, enabled: boolean): Promise<void>;
  isEnabled(ruleName: string): Promise<boolean>;
}

/** Port: publish one city event (CityEventPublisher implements it). */
export interface CrisisAnnouncer {
  publishOne(draft: {
    type: "CrisisModeChanged";
    payload: PayloadInputOf<"CrisisModeChanged">;
  }): Promise<unknown>;
}

/** A subscription shed in a crisis, with its rule's physical name. */
export interface ShedRule {
  readonly subscriptionId: string;
  readonly ruleName: string;
}

/** The stored state: the decision state plus when the current shedding began. */
export interface StoredCrisisState extends CrisisState {
  /** ISO instant the info subscriptions were shed (while in crisis). */
  readonly since?: string;
}

export interface CrisisStatus {
  readonly state: StoredCrisisState;
  readonly rules: readonly (ShedRule & { readonly enabled: boolean })[];
}

export interface CrisisControllerDeps {
  readonly spec: CrisisSpec;
  readonly shed: readonly ShedRule[];
  readonly rules: RuleSwitch;
  readonly docs: DocumentStore;
  readonly announcer: CrisisAnnouncer;
  readonly clock: Clock;
}

export const CRISIS_STATE_KEY = { pk: "ops#crisis", sk: "state" } as const;

export class CrisisController {
  constructor(private readonly deps: CrisisControllerDeps) {}

  /** The stored state and the shed rules' current states. */
  async status(): Promise<CrisisStatus> {
    const stored = await this.deps.docs.get<StoredCrisisState>(
      CRISIS_STATE_KEY.pk,
      CRISIS_STATE_KEY.sk,
    );
    const rules = await Promise.all(
      this.deps.shed.map(async (r) => ({
        ...r,
        enabled: await this.deps.rules.isEnabled(r.ruleName),
      })),
    );
    return { state: stored?.value ?? NORMAL, rules };
  }

  /** One automatic reading (see decide() for `calmWeight`). */
  observe(reading: Reading, calmWeight = 1): Promise<StoredCrisisState> {
    return this.step(reading.backlog, "automatic", (s) =>
      decide(this.deps.spec, s, reading, calmWeight),
    );
  }

  /** An operator's `crisis on|off|auto`. */
  command(cmd: "on" | "off" | "auto"): Promise<StoredCrisisState> {
    return this.step(undefined, "operator", (s) => operatorCommand(s, cmd));
  }

  /**
   * Applies a decision: the rules are switched first (idempotent), then the state is saved with
   * optimistic concurrency, then the transition is announced. A failure before the save leaves the
   * old state, so the next reading decides (and switches) again.
   */
  private async step(
    backlog: CriticalBacklog | undefined,
    trigger: "automatic" | "operator",
    next: (s: CrisisState) => CrisisDecision,
  ): Promise<StoredCrisisState> {
    const { pk, sk } = CRISIS_STATE_KEY;
    const stored = await this.deps.docs.get<StoredCrisisState>(pk, sk);
    const current: StoredCrisisState = stored?.value ?? NORMAL;
    const decision = next(current);
    const t = decision.transition;
    if (t) await this.switchRules(t.to);
    const now = new Date(this.deps.clock.now()).toISOString();
    const after: StoredCrisisState = {
      ...decision.next,
      ...(decision.next.mode === "crisis" ? { since: t ? now : (current.since ?? now) } : {}),
    };
    // A quiet reading changes nothing: no write (the local monitor reads every second).
    if (!t && stored && isDeepStrictEqual(after, current)) return current;
    const saved = await update<StoredCrisisState>(
      this.deps.docs,
      pk,
      sk,
      () => NORMAL,
      () => after,
    );
    if (t) {
      await this.deps.announcer.publishOne({
        type: "CrisisModeChanged",
        payload: {
          mode: t.to,
          previousMode: t.from,
          trigger,
          reason: t.reason,
          shedSubscriptions: this.deps.shed.map((r) => r.subscriptionId),
          ...(backlog
            ? { criticalDepth: backlog.depth, criticalOldestSeconds: backlog.oldestSeconds }
            : {}),
          ...(t.to === "normal" && current.since ? { shedSince: current.since } : {}),
          zone: "z0",
        },
      });
    }
    return saved;
  }

  private async switchRules(mode: CrisisMode): Promise<void> {
    await Promise.all(
      this.deps.shed.map((r) => this.deps.rules.setEnabled(r.ruleName, mode === "normal")),
    );
  }
}
