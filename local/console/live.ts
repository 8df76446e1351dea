/**
 * The console's `/ws/live` feed: a message at most every LIVE_PERIOD_MS with the flow figures
 * (local/console/aggregate.ts) and whatever slower read finished since the previous message
 * (queue depths; the city's lights, incidents and alerts). Reads run only while a page is
 * connected, each at most once at a time, so a slow read never delays the flow figures.
 */
import type { FlowAggregator } from "./aggregate.ts";
import type { CityState } from "./city.ts";
import type { ConsoleServer } from "./server.ts";

/** Live message period, ms: at most twice a second whatever the event rate. */
export const LIVE_PERIOD_MS = 500;
const QUEUES_EVERY = 2; // periods
const CITY_EVERY = 5; // periods: the lights, one read per intersection
const ZONES_EVERY = 20; // periods: incidents and alerts, the costly read (docs/OPERATIONS.md §7)
const TRACES_EVERY = 4; // periods: the recent traces (Traces tab)

export interface LiveSources {
  readonly server: ConsoleServer;
  readonly flow: FlowAggregator;
  readonly hello: Readonly<Record<string, unknown>>;
  readonly functions: () => unknown;
  readonly queues: () => Promise<unknown>;
  /** The city's state; with `zonesOf`, its zones are kept and only the lights read. */
  readonly city: (zonesOf?: CityState) => Promise<CityState>;
  /** The emergency units dispatched and on their way (local/console/units.ts). */
  readonly units?: () => unknown[];
  /** The recent traces and the store's figures; absent when tracing is off. */
  readonly traces?: () => unknown;
  readonly onError: (error: unknown) => void;
}

export function startLiveFeed(src: LiveSources): { stop(): void } {
  let lastQueues: unknown;
  let lastCity: CityState | undefined;
  let fresh: { queues?: unknown; city?: CityState } = {};
  src.server.onConnect((send) => {
    send({ type: "hello", ...src.hello });
    if (lastQueues) send({ type: "live", queues: lastQueues });
    if (lastCity) send({ type: "live", city: lastCity });
  });
  const reading = { queues: false, city: false };
  const read = <T>(what: keyof typeof reading, load: () => Promise<T>, keep: (v: T) => void) => {
    if (reading[what]) return;
    reading[what] = true;
    load()
      .then(keep)
      .catch(src.onError)
      .finally(() => {
        reading[what] = false;
      });
  };
  let tick = 0;
  let sentAt = 0;
  // Checked 5× per period; a message leaves at least LIVE_PERIOD_MS after the previous one.
  const timer = setInterval(() => {
    if (Date.now() - sentAt < LIVE_PERIOD_MS) return;
    sentAt = Date.now();
    tick++;
    const flow = src.flow.snapshot();
    const watched = src.server.clients > 0;
    if (watched && tick % QUEUES_EVERY === 0) {
      read("queues", src.queues, (q) => {
        lastQueues = fresh.queues = q;
      });
    }
    if (watched && tick % CITY_EVERY === 1) {
      const zonesOf = tick % ZONES_EVERY === 1 ? undefined : lastCity;
      read(
        "city",
        () => src.city(zonesOf),
        (c) => {
          lastCity = fresh.city = c;
        },
      );
    }
    const traces = watched && src.traces && tick % TRACES_EVERY === 0 ? src.traces() : undefined;
    const units = watched ? src.units?.() : undefined;
    src.server.broadcast({
      type: "live",
      flow,
      functions: src.functions(),
      ...fresh,
      ...(traces ? { traces } : {}),
      ...(units && units.length > 0 ? { units } : {}),
    });
    fresh = {};
  }, LIVE_PERIOD_MS / 5);
  return { stop: () => clearInterval(timer) };
}
