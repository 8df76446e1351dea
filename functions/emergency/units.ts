/**
 * The units read model: every emergency unit with its status (standby, reserved, dispatched),
 * one document per unit kind on the read-models table, updated with optimistic concurrency.
 * Seeded with a standby fleet the first time a kind is read.
 */
import type { UnitKind } from "../../events/catalog/common.ts";
import { type DocumentStore, update } from "../shared/documents.ts";
import type { SagaEvent } from "./saga-state.ts";

export type UnitStatus = "standby" | "reserved" | "dispatched";

export interface UnitRecord {
  readonly status: UnitStatus;
  readonly incidentId?: string;
}

export type Fleet = Readonly<Record<string, UnitRecord>>;

export const DEFAULT_FLEET_SIZE: Readonly<Record<UnitKind, number>> = {
  "fire-engine": 12,
  ambulance: 20,
  police: 25,
  hazmat: 4,
  rescue: 6,
};

const key = (kind: UnitKind) => ({ pk: "units#fleet", sk: kind });

export class UnitPool {
  constructor(
    private readonly docs: DocumentStore,
    private readonly fleetSize: Readonly<Record<UnitKind, number>> = DEFAULT_FLEET_SIZE,
  ) {}

  private seed(kind: UnitKind): Fleet {
    const fleet: Record<string, UnitRecord> = {};
    for (let i = 1; i <= this.fleetSize[kind]; i++) fleet[`${kind}-${i}`] = { status: "standby" };
    return fleet;
  }

  /**
   * Reserves one standby unit per kind for the incident (all or nothing). Returns the units, or
   * the kinds that had no standby unit (then nothing stays reserved). Re-running for the same
   * incident returns the units it already holds.
   */
  async reserve(
    incidentId: string,
    kinds: readonly UnitKind[],
  ): Promise<{ ok: true; unitIds: string[] } | { ok: false; missing: UnitKind[] }> {
    const reserved: string[] = [];
    const missing: UnitKind[] = [];
    for (const kind of kinds) {
      let got: string | undefined;
      await update<Fleet>(
        this.docs,
        key(kind).pk,
        key(kind).sk,
        () => this.seed(kind),
        (fleet) => {
          const held = Object.entries(fleet).find(([, u]) => u.incidentId === incidentId);
          const free = Object.entries(fleet).find(([, u]) => u.status === "standby");
          const pick = held ?? free;
          got = pick?.[0];
          if (!pick || held) return fleet;
          return { ...fleet, [pick[0]]: { status: "reserved", incidentId } };
        },
      );
      if (got) reserved.push(got);
      else missing.push(kind);
    }
    if (missing.length > 0) {
      await this.release(incidentId, reserved);
      return { ok: false, missing };
    }
    return { ok: true, unitIds: reserved };
  }

  /** Compensation: units held by the incident go back to standby. */
  async release(incidentId: string, unitIds: readonly string[]): Promise<void> {
    await this.setStatus(incidentId, unitIds, "standby");
  }

  async markDispatched(incidentId: string, unitIds: readonly string[]): Promise<void> {
    await this.setStatus(incidentId, unitIds, "dispatched");
  }

  /**
   * A stored saga event applied to the fleet (the projection rebuild, docs/OPERATIONS.md §6): the
   * units it names are reserved, dispatched or released, as the live saga did when it published it.
   */
  async apply(event: SagaEvent): Promise<void> {
    if (event.type === "UnitsReserved") {
      await this.setStatus(event.payload.incidentId, event.payload.unitIds, "reserved");
    } else if (event.type === "UnitsDispatched") {
      await this.markDispatched(event.payload.incidentId, event.payload.unitIds);
    } else if (event.type === "DispatchFailed") {
      await this.release(event.payload.incidentId, event.payload.releasedUnitIds);
    }
  }

  async fleet(kind: UnitKind): Promise<Fleet> {
    return (await this.docs.get<Fleet>(key(kind).pk, key(kind).sk))?.value ?? this.seed(kind);
  }

  private async setStatus(incidentId: string, unitIds: readonly string[], status: UnitStatus) {
    const byKind = new Map<UnitKind, string[]>();
    for (const id of unitIds) {
      const kind = id.replace(/-\d+$/, "") as UnitKind;
      byKind.set(kind, [...(byKind.get(kind) ?? []), id]);
    }
    for (const [kind, ids] of byKind) {
      await update<Fleet>(
        this.docs,
        key(kind).pk,
        key(kind).sk,
        () => this.seed(kind),
        (fleet) => {
          const next: Record<string, UnitRecord> = { ...fleet };
          for (const id of ids) {
            const unit = next[id];
            // never touch another incident's unit; a stored reservation claims a standby one
            const claims = status === "reserved" && unit?.status === "standby";
            if (unit?.incidentId !== incidentId && !claims) continue;
            next[id] = status === "standby" ? { status } : { status, incidentId };
          }
          return next;
        },
      );
    }
  }
}
