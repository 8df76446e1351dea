/**
 * The operators' console's server (local/console): its page and assets, its WebSocket feed and
 * its dead-letter routes, on a whole local city playing the fire scenario, over real HTTP and
 * WebSocket clients.
 */
import { get, request } from "node:http";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { main as traceCommand } from "../../../bin/ops/trace.ts";
import { LIVE_PERIOD_MS } from "../../../local/console/index.ts";
import { waitFor } from "../../support/wait.ts";
import { type ConsoleCity, dlqs } from "./support.ts";

/** The city of the file running these tests (console.test.ts). */
let city: ConsoleCity;

// biome-ignore lint/suspicious/noExplicitAny: the feed's JSON, asserted field by field below
type Message = any;

/** Connects to /ws/live and collects every message until closed. */
function feed(origin?: string): { ws: WebSocket; messages: Message[] } {
  const ws = new WebSocket(new URL("ws/live", city.url.replace("http", "ws")), {
    ...(origin ? { origin } : {}),
  });
  const messages: Message[] = [];
  ws.on("message", (data) => messages.push(JSON.parse(String(data))));
  return { ws, messages };
}

/** The server's tests, on the city `city()` gives (console.test.ts). */
export function describeConsoleServer(current: () => ConsoleCity): void {
  describe("the operators' console server", () => {
    beforeAll(() => {
      city = current();
    });

    it("serves the page and every asset from the project", async () => {
      const page = await fetch(city.url);
      expect(page.headers.get("content-type")).toMatch(/text\/html/);
      const html = await page.text();
      for (const asset of [
        "/assets/uPlot.js",
        "/assets/uPlot.css",
        "/assets/app.js",
        "/assets/map.js",
        "/assets/traces.js",
      ]) {
        expect(html).toContain(asset);
        const res = await fetch(new URL(asset, city.url));
        expect(res.status, asset).toBe(200);
        expect((await res.text()).length, asset).toBeGreaterThan(100);
      }
      expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    });

    it("pushes the layout, then live aggregates at most twice a second", async () => {
      const { ws, messages } = feed();
      try {
        const hello = await waitFor("hello", () => messages.find((m) => m.type === "hello"));
        expect(hello.layout.intersections).toHaveLength(48);
        expect(hello.layout.zones.map((z: Message) => z.id)).toEqual([
          "z1",
          "z2",
          "z3",
          "z4",
          "z5",
          "z6",
          "z7",
          "z8",
        ]);
        const flows = await waitFor(
          "five live messages with events flowing",
          () => {
            const f = messages.filter((m) => m.flow).map((m) => m.flow);
            return f.length >= 5 && f.some((x) => x.eventsPerSecond > 0) ? f : undefined;
          },
          { timeoutMs: 60_000 },
        );
        for (let i = 1; i < flows.length; i++) {
          expect(flows[i].at - flows[i - 1].at).toBeGreaterThanOrEqual(LIVE_PERIOD_MS);
        }
        const busy = flows.find((f: Message) => f.eventsPerSecond > 0);
        expect(Object.keys(busy.eventsPerSecondByType).length).toBeGreaterThan(0);
        expect(
          Object.keys(busy.eventsPerSecondByPriority).every((p) =>
            ["critical", "high", "normal", "info"].includes(p),
          ),
        ).toBe(true);
        const queues = await waitFor("queue depths", () => messages.find((m) => m.queues)?.queues);
        expect(queues.length).toBeGreaterThan(10);
        expect(queues[0]).toEqual(
          expect.objectContaining({ visible: expect.any(Number), inFlight: expect.any(Number) }),
        );
        const withLatency = await waitFor("a consumer's latency", () =>
          messages.find((m) => m.flow && Object.keys(m.flow.latencyMs).length > 0),
        );
        const p = Object.values(withLatency.flow.latencyMs)[0] as { p50: number; p99: number };
        expect(p.p99).toBeGreaterThanOrEqual(p.p50);
        // One entry per function environment pool (reserved pools of critical subscriptions too).
        expect(Object.keys(withLatency.functions).length).toBeGreaterThanOrEqual(6);
        for (const f of Object.values(withLatency.functions) as Message[]) {
          expect(f.invocations).toBeGreaterThanOrEqual(f.errors);
        }
      } finally {
        ws.close();
      }
    }, 90_000);

    it("shows the fire's incident and its pre-empted route on the city map", async () => {
      const { ws, messages } = feed();
      try {
        const state = await waitFor(
          "an incident and two pre-empted intersections",
          () =>
            messages
              .filter((m) => m.city)
              .map((m) => m.city)
              .find(
                (c: Message) =>
                  c.zones.some((z: Message) => z.incidents.length > 0) &&
                  Object.values(c.intersections).filter((i: Message) => i.mode === "preempted")
                    .length >= 2,
              ),
          { timeoutMs: 120_000, intervalMs: 250 },
        );
        const incident = state.zones.flatMap((z: Message) => z.incidents)[0];
        // The units dispatched to it, on their route (from its UnitsDispatched event).
        const units = await waitFor(
          "the dispatched units on the feed",
          () =>
            messages.find((m) => m.units?.some((u: Message) => u.incidentId === incident.id))
              ?.units,
          { timeoutMs: 60_000, intervalMs: 250 },
        );
        const dispatch = units.find((u: Message) => u.incidentId === incident.id);
        expect(dispatch.unitIds.length).toBeGreaterThan(0);
        expect(dispatch.route.length).toBeGreaterThanOrEqual(2);
        expect(dispatch.etaSeconds).toBeGreaterThanOrEqual(0);
        expect(incident.id).toMatch(/^inc-/);
        const held = Object.values(state.intersections).filter(
          (i: Message) => i.mode === "preempted",
        );
        expect(held.every((i: Message) => i.incidentId === incident.id)).toBe(true);
        // The page's reads of the city API go through the console (same origin).
        const timeline = await fetch(new URL(`api/incidents/${incident.id}/timeline`, city.url));
        expect(timeline.status).toBe(200);
        const types = ((await timeline.json()) as Message).events.map((e: Message) => e.type);
        expect(types).toContain("IncidentOpened");
      } finally {
        ws.close();
      }
    }, 150_000);

    it("pushes the recent traces and serves the fire alarm's waterfall: dispatch and notification", async () => {
      const { ws, messages } = feed();
      try {
        const live = await waitFor(
          "recent traces on the feed",
          () => messages.find((m) => m.traces?.recent.length > 0)?.traces,
          { timeoutMs: 60_000 },
        );
        expect(live.sampling).toBe("every trace");
        expect(live.stats.traces).toBeGreaterThan(0);
        expect(live.recent[0]).toEqual(
          expect.objectContaining({
            traceId: expect.stringMatching(/^1-/),
            segments: expect.any(Number),
          }),
        );
      } finally {
        ws.close();
      }
      const alarm = await waitFor(
        "the fire alarm's trace reaching the notification's SNS publish",
        async () => {
          const list = (await (
            await fetch(new URL("console/traces?limit=500", city.url))
          ).json()) as Message;
          const found = list.traces.find((t: Message) => t.detailType === "FireAlarmRaised");
          if (!found) return undefined;
          const view = (await (
            await fetch(new URL(`console/traces/${found.traceId}`, city.url))
          ).json()) as Message;
          return view.rows.some((r: Message) => r.name.startsWith("SNS Publish"))
            ? { found, view }
            : undefined;
        },
        { timeoutMs: 170_000, intervalMs: 1000 },
      );
      const rows = alarm.view.rows as Message[];
      expect(rows[0]).toMatchObject({ origin: "AWS::Events", depth: 0 });
      const functions = rows.filter((r) => r.origin === "AWS::Lambda::Function").map((r) => r.name);
      expect(functions.some((n: string) => n.includes("EmergencyFunction"))).toBe(true);
      expect(functions.some((n: string) => n.includes("NotificationFunction"))).toBe(true);
      // The same waterfall in the terminal.
      const out: string[] = [];
      const io = {
        stdout: { write: (t: string) => out.push(t) },
        stderr: { write: (t: string) => out.push(t) },
      };
      // Searching by the alarm's event id finds a trace rooted at that event first (the scenario
      // may publish the alarm more than once with the same id: each publish is a trace of its own),
      // before the traces it only passed through in a batch.
      const searched = (await (
        await fetch(new URL(`console/traces?q=${alarm.found.eventId}`, city.url))
      ).json()) as Message;
      const own = (searched.traces as Message[])
        .filter((t) => t.eventId === alarm.found.eventId)
        .map((t) => t.traceId as string);
      expect(own).toContain(alarm.found.traceId);
      expect(own).toContain(searched.traces[0].traceId);
      expect(await traceCommand([alarm.found.eventId, "--console", city.url], io)).toBe(0);
      const printed = /^trace (\S+) /.exec(out.join(""))?.[1];
      expect(own).toContain(printed);
      expect(out.join("")).toMatch(/NotificationFunction \(AWS::Lambda::Function\)/);
      out.length = 0;
      expect(await traceCommand(["no-such-event", "--console", city.url], io)).toBe(1);
      expect(out.join("")).toContain("no trace of no-such-event");
      // Hostile input is named, and an unknown trace is a 404.
      const badLimit = await fetch(new URL("console/traces?limit=0", city.url));
      expect(badLimit.status).toBe(400);
      expect(((await badLimit.json()) as Message).error.message).toContain("limit must be");
      const badId = await fetch(new URL("console/traces/not%20a%20trace", city.url));
      expect(badId.status).toBe(400);
      const gone = await fetch(
        new URL("console/traces/1-00000000-000000000000000000000000", city.url),
      );
      expect(gone.status).toBe(404);
    }, 240_000);

    it("lists a DLQ's message with its reason and redrives it with the DLQ tool", async () => {
      const queueUrl = await city.deadLetter("NotificationBulkDlq");
      const listed = (await dlqs(city.url)).find((d) => d.logicalId === "NotificationBulkDlq");
      expect(listed?.messages).toHaveLength(1);
      expect(listed?.messages[0]).toEqual(
        expect.objectContaining({ eventType: "WeatherAlertCancelled", reason: expect.any(String) }),
      );
      const res = await fetch(new URL("console/dlqs/NotificationBulkDlq/redrive", city.url), {
        method: "POST",
        headers: { "content-type": "application/json", origin: new URL(city.url).origin },
        body: "{}",
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ moved: 1, completed: 0 });
      const attrs = await city.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["All"] }),
      );
      expect(Number(attrs.Attributes?.ApproximateNumberOfMessages)).toBe(0);
      expect(Number(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible)).toBe(0);
    });

    it("refuses cross-origin writes and WebSocket upgrades, and names what is wrong", async () => {
      const post = (path: string, body: string, origin?: string) =>
        fetch(new URL(path, city.url), {
          method: "POST",
          headers: { "content-type": "application/json", ...(origin ? { origin } : {}) },
          body,
        });
      const foreign = await post(
        "console/dlqs/NotificationBulkDlq/redrive",
        "{}",
        "http://evil.example",
      );
      expect(foreign.status).toBe(403);
      expect(((await foreign.json()) as Message).error.code).toBe("AccessDenied");
      const unknown = await post("console/dlqs/NoSuchDlq/redrive", "{}");
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as Message).error.message).toContain("NotificationBulkDlq");
      const badMax = await post("console/dlqs/NotificationBulkDlq/redrive", '{"max":-1}');
      expect(badMax.status).toBe(400);
      expect(((await badMax.json()) as Message).error.message).toContain("max must be an integer");
      const notJson = await post("console/dlqs/NotificationBulkDlq/redrive", "[1]");
      expect(notJson.status).toBe(400);
      // A raw path (fetch would resolve the dots itself) trying to leave the proxied /api/.
      const outside = await new Promise<number>((resolve, reject) =>
        get(new URL(city.url), { path: "/api/%2e%2e/_buzzville/metrics" }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on("error", reject),
      );
      expect(outside).toBe(400);
      // A page whose name was rebound to the console's address: its Host and Origin agree, yet
      // neither is the console's own.
      const port = new URL(city.url).port;
      const rebound = await new Promise<number>((resolve, reject) => {
        const req = request(
          new URL("console/dlqs/NotificationBulkDlq/redrive", city.url),
          {
            method: "POST",
            headers: { host: `evil.example:${port}`, origin: `http://evil.example:${port}` },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", reject);
        req.end("{}");
      });
      expect(rebound).toBe(403);

      const { ws } = feed("http://evil.example");
      const status = await new Promise<number>((resolve) => {
        ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        ws.on("open", () => resolve(101));
      });
      expect(status).toBe(403);
      // Still serving.
      expect((await fetch(new URL("console/layout", city.url))).status).toBe(200);
    });
  });
}
