/** In-memory state of the emulator: buses, rules, targets, archives and replays. */

import { arnResourceName } from "../../events/arn.ts";
import { ResourceNotFoundError } from "./errors.ts";
import type { CompiledPattern } from "./patterns/index.ts";

export interface BusRecord {
  readonly name: string;
  readonly arn: string;
  description?: string;
  readonly creationTime: number;
  lastModifiedTime: number;
}

export interface TargetRecord {
  Id: string;
  Arn: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
  SqsParameters?: { MessageGroupId?: string };
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn?: string };
  [other: string]: unknown;
}

export interface RuleRecord {
  readonly name: string;
  readonly arn: string;
  readonly busName: string;
  eventPattern?: string;
  compiled?: CompiledPattern;
  scheduleExpression?: string;
  state: string;
  description?: string;
  roleArn?: string;
  readonly createdBy: string;
  readonly targets: Map<string, TargetRecord>;
}

export interface ArchivedEvent {
  /**
   * The event as JSON: built anyway for its size, it costs no deep copy to keep and holds the
   * city's events in about 20 % less memory than a parsed copy (an archive keeps every event of
   * its retention period).
   */
  readonly json: string;
  /** Epoch ms at which the bus received the event. */
  readonly ingestedAt: number;
  readonly sizeBytes: number;
}

export interface ArchiveRecord {
  readonly name: string;
  readonly arn: string;
  readonly eventSourceArn: string;
  readonly busName: string;
  description?: string;
  eventPattern?: string;
  compiled?: CompiledPattern;
  retentionDays: number;
  state: string;
  readonly creationTime: number;
  readonly events: ArchivedEvent[];
}

export interface ReplayRecord {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  state: "STARTING" | "RUNNING" | "CANCELLING" | "COMPLETED" | "CANCELLED" | "FAILED";
  stateReason?: string;
  readonly eventSourceArn: string;
  readonly destination: { Arn: string; FilterArns?: string[] };
  readonly eventStartTime: number;
  readonly eventEndTime: number;
  eventLastReplayedTime?: number;
  readonly replayStartTime: number;
  replayEndTime?: number;
  replayedCount: number;
  totalCount: number;
}

export class EventBridgeStore {
  readonly buses = new Map<string, BusRecord>();
  readonly rules = new Map<string, Map<string, RuleRecord>>();
  readonly archives = new Map<string, ArchiveRecord>();
  readonly replays = new Map<string, ReplayRecord>();

  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  arn(resource: string): string {
    return `arn:aws:events:${this.region}:${this.accountId}:${resource}`;
  }

  busArn(name: string): string {
    return this.arn(`event-bus/${name}`);
  }

  ruleArn(busName: string, ruleName: string): string {
    return this.arn(busName === "default" ? `rule/${ruleName}` : `rule/${busName}/${ruleName}`);
  }

  /** Accepts a bus name or ARN (as AWS does for EventBusName); undefined → "default". */
  static busNameOf(nameOrArn: string | undefined): string {
    if (nameOrArn === undefined || nameOrArn === "") return "default";
    return arnResourceName(nameOrArn, "event-bus") ?? nameOrArn;
  }

  addBus(name: string, now: number, description?: string): BusRecord {
    const bus: BusRecord = {
      name,
      arn: this.busArn(name),
      creationTime: now,
      lastModifiedTime: now,
      ...(description === undefined ? {} : { description }),
    };
    this.buses.set(name, bus);
    this.rules.set(name, new Map());
    return bus;
  }

  requireBus(name: string): BusRecord {
    const bus = this.buses.get(name);
    if (!bus) throw new ResourceNotFoundError(`Event bus ${name} does not exist.`);
    return bus;
  }

  rulesOf(busName: string): Map<string, RuleRecord> {
    this.requireBus(busName);
    const rules = this.rules.get(busName);
    if (!rules) throw new ResourceNotFoundError(`Event bus ${busName} does not exist.`);
    return rules;
  }

  requireRule(busName: string, ruleName: string): RuleRecord {
    const rule = this.rulesOf(busName).get(ruleName);
    if (!rule) {
      throw new ResourceNotFoundError(`Rule ${ruleName} does not exist on EventBus ${busName}.`);
    }
    return rule;
  }

  /** Finds a rule by ARN (replay FilterArns). */
  ruleByArn(arn: string): RuleRecord | undefined {
    for (const rules of this.rules.values()) {
      for (const rule of rules.values()) if (rule.arn === arn) return rule;
    }
    return undefined;
  }

  busByArn(arn: string): BusRecord | undefined {
    for (const bus of this.buses.values()) if (bus.arn === arn) return bus;
    return undefined;
  }
}
