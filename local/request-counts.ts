/**
 * Counts the AWS-protocol requests the local cloud serves, by service and action, and by origin:
 * `client` for requests that arrive on the endpoint (functions, producers, the CLI, any SDK), and
 * `cloud` for the work the local cloud does on its own behalf that AWS also bills as requests
 * (EventBridge delivering to an SQS target, a pipe's receive/send/delete, a Lambda event source
 * mapping's receives and deletes). Read by `npm run bench`, `buzzville load` and
 * `GET /_buzzville/metrics`; see docs/BENCHMARKS.md.
 */

export type RequestOrigin = "client" | "cloud";

/** `counts[origin][service][action]` = requests served. */
export type RequestCountSnapshot = Record<RequestOrigin, Record<string, Record<string, number>>>;

export class RequestCounter {
  // Maps, not records: service and action names come from requests (`__proto__` is a name too).
  private counts = new Map<RequestOrigin, Map<string, Map<string, number>>>();

  /** Adds `n` requests of `service`/`action` (e.g. `sqs`/`SendMessageBatch`). */
  count(origin: RequestOrigin, service: string, action: string, n = 1): void {
    const services = this.counts.get(origin) ?? new Map<string, Map<string, number>>();
    const actions = services.get(service) ?? new Map<string, number>();
    actions.set(action, (actions.get(action) ?? 0) + n);
    services.set(service, actions);
    this.counts.set(origin, services);
  }

  /** The counts so far, as plain JSON. */
  snapshot(): RequestCountSnapshot {
    const out: RequestCountSnapshot = { client: {}, cloud: {} };
    for (const [origin, services] of this.counts) {
      for (const [service, actions] of services) {
        const entry: Record<string, number> = {};
        for (const [action, n] of actions)
          Object.defineProperty(entry, action, { value: n, enumerable: true });
        Object.defineProperty(out[origin], service, { value: entry, enumerable: true });
      }
    }
    return out;
  }

  reset(): void {
    this.counts.clear();
  }
}

/** `after - before`, per origin/service/action (for a measured window). */
export function diffRequestCounts(
  after: RequestCountSnapshot,
  before: RequestCountSnapshot,
): RequestCountSnapshot {
  const delta = new RequestCounter();
  for (const origin of ["client", "cloud"] as const) {
    for (const [service, actions] of Object.entries(after[origin])) {
      const earlier = Object.hasOwn(before[origin], service) ? before[origin][service] : undefined;
      for (const [action, n] of Object.entries(actions)) {
        const was = earlier && Object.hasOwn(earlier, action) ? (earlier[action] ?? 0) : 0;
        if (n !== was) delta.count(origin, service, action, n - was);
      }
    }
  }
  return delta.snapshot();
}

/** Total requests in a snapshot, optionally of one origin. */
export function totalRequests(counts: RequestCountSnapshot, origin?: RequestOrigin): number {
  let total = 0;
  for (const o of origin ? [origin] : (["client", "cloud"] as const)) {
    for (const actions of Object.values(counts[o])) {
      for (const n of Object.values(actions)) total += n;
    }
  }
  return total;
}
