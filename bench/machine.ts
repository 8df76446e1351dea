/** Facts about the machine the numbers were taken on. */
import { readFileSync } from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";

export interface MachineFacts {
  readonly cpuModel: string;
  /** CPUs this process may use (os.availableParallelism). */
  readonly cores: number;
  /** CPU quota of the cgroup, e.g. "2 CPUs" or "none". */
  readonly cpuQuota: string;
  readonly memoryBytes: number;
  readonly freeMemoryBytes: number;
  readonly node: string;
  readonly os: string;
  /** 1-minute load average when the run started and when it ended. */
  readonly loadStart: number;
  readonly loadEnd: number;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** The cgroup's CPU limit (v2 `cpu.max`, else v1 `cfs_quota_us / cfs_period_us`). */
function cpuQuota(): string {
  const v2 = read("/sys/fs/cgroup/cpu.max");
  const [quota, period] = v2
    ? v2.split(/\s+/)
    : [read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), read("/sys/fs/cgroup/cpu/cpu.cfs_period_us")];
  if (quota === undefined || period === undefined) return "unknown";
  if (quota === "max" || quota === "-1") return "none";
  return `${(Number(quota) / Number(period)).toFixed(2)} CPUs`;
}

/** Facts now; call `finish` at the end of the run to record the final load. */
export function machineFacts(): { facts: MachineFacts; finish(): MachineFacts } {
  const facts: MachineFacts = {
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
    cores: os.availableParallelism(),
    cpuQuota: cpuQuota(),
    memoryBytes: os.totalmem(),
    freeMemoryBytes: os.freemem(),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadStart: os.loadavg()[0] ?? 0,
    loadEnd: os.loadavg()[0] ?? 0,
  };
  return { facts, finish: () => ({ ...facts, loadEnd: os.loadavg()[0] ?? 0 }) };
}

/**
 * Busy when other processes kept more than a quarter of the cores busy during the run, or (when
 * that is unknown) when the 1-minute load already exceeded a quarter of the cores at the start.
 */
export function wasBusy(facts: MachineFacts, share?: CpuShare): boolean {
  if (share?.others !== undefined) return share.others > facts.cores / 4;
  return facts.loadStart > facts.cores / 4;
}

/** CPU time of the whole machine (all processes), seconds, from /proc/stat; undefined elsewhere. */
function machineBusySeconds(): number | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
    return (total - idle) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

export interface CpuShare {
  /** Cores this process kept busy on average (all its threads). */
  readonly ours: number;
  /** Cores everything else on the machine kept busy on average; undefined if unknown. */
  readonly others: number | undefined;
}

/** Starts measuring how the CPUs were shared; `stop()` returns the averages since. */
export function cpuMeter(): { stop(): CpuShare } {
  const wallStart = performance.now();
  const oursStart = process.cpuUsage();
  const machineStart = machineBusySeconds();
  return {
    stop() {
      const wall = (performance.now() - wallStart) / 1000;
      const used = process.cpuUsage(oursStart);
      const ours = (used.user + used.system) / 1e6 / wall;
      const machineEnd = machineBusySeconds();
      const others =
        machineStart === undefined || machineEnd === undefined
          ? undefined
          : Math.max(0, (machineEnd - machineStart) / wall - ours);
      return { ours, others };
    },
  };
}
