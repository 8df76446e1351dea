/**
 * The local X-Ray pieces without a cloud: trace headers, the default sampling rule, the bounded
 * trace store, the UDP daemon's wire format, the waterfall and the batch links.
 */
import { createSocket } from "node:dgram";
import { describe, expect, it } from "vitest";
import { startTraceDaemon } from "../../../../local/xray/daemon.ts";
import {
  formatTraceHeader,
  isTraceId,
  newTraceId,
  parseTraceHeader,
} from "../../../../local/xray/header.ts";
import { invocationSpans } from "../../../../local/xray/hops.ts";
import { traceWithLinks } from "../../../../local/xray/links.ts";
import { DEFAULT_SAMPLING_RULE, SAMPLE_ALL, Sampler } from "../../../../local/xray/sampler.ts";
import type { SegmentDocument } from "../../../../local/xray/segment.ts";
import { TraceStore } from "../../../../local/xray/store.ts";
import { startTracing } from "../../../../local/xray/tracing.ts";
import { renderWaterfall, waterfall } from "../../../../local/xray/waterfall.ts";
import { waitFor } from "../../../support/wait.ts";

const TRACE = "1-5759e988-bd862e3fe1be46a994272793";
const seg = (id: string, over: Partial<SegmentDocument> = {}): SegmentDocument => ({
  id,
  trace_id: TRACE,
  name: id,
  start_time: 100,
  end_time: 100.01,
  ...over,
});

describe("trace headers", () => {
  it("parse what AWS writes and format it back", () => {
    const text = `Root=${TRACE};Parent=53995c3f42cd8ad8;Sampled=1`;
    expect(parseTraceHeader(text)).toEqual({
      root: TRACE,
      parent: "53995c3f42cd8ad8",
      sampled: true,
    });
    expect(formatTraceHeader(parseTraceHeader(text) ?? { root: "", sampled: false })).toBe(text);
    expect(parseTraceHeader(`Root=${TRACE}`)).toEqual({ root: TRACE, sampled: false });
  });

  it("ignore a header without a valid root, and a bad parent", () => {
    expect(parseTraceHeader("Root=nope;Sampled=1")).toBeUndefined();
    expect(parseTraceHeader(undefined)).toBeUndefined();
    expect(parseTraceHeader(`Root=${TRACE};Parent=xyz;Sampled=1`)).toEqual({
      root: TRACE,
      sampled: true,
    });
  });

  it("new trace ids carry the epoch second", () => {
    const id = newTraceId(0x5759e988 * 1000);
    expect(id.startsWith("1-5759e988-")).toBe(true);
    expect(isTraceId(id)).toBe(true);
    expect(isTraceId("01M8XZ9KYZWE1D5YCYAHY0VZVH")).toBe(false);
  });
});

describe("the default sampling rule", () => {
  it("samples the first request of each second, then 5 % of the rest", () => {
    let now = 10_000;
    let draw = 0.5;
    const sampler = new Sampler(
      DEFAULT_SAMPLING_RULE,
      () => now,
      () => draw,
    );
    expect(sampler.sample()).toBe(true); // the reservoir
    expect(sampler.sample()).toBe(false); // 0.5 >= 5 %
    draw = 0.01;
    expect(sampler.sample()).toBe(true); // within the fixed rate
    draw = 0.5;
    now += 1000;
    expect(sampler.sample()).toBe(true); // a new second, a new reservoir
    expect(sampler.sample()).toBe(false);
  });

  it("SAMPLE_ALL samples everything", () => {
    const sampler = new Sampler(
      SAMPLE_ALL,
      () => 0,
      () => 0.999,
    );
    expect([1, 2, 3].map(() => sampler.sample())).toEqual([true, true, true]);
  });
});

describe("the trace store", () => {
  it("keeps nested subsegments flat under their container, searchable by annotations", () => {
    const store = new TraceStore();
    store.add(
      seg("a", {
        annotations: { eventId: "ev-1" },
        subsegments: [
          { id: "b", name: "DynamoDB", start_time: 100, annotations: { incidentId: "inc-1" } },
        ],
      }),
    );
    expect(store.get(TRACE)?.find((s) => s.id === "b")).toMatchObject({
      parent_id: "a",
      trace_id: TRACE,
    });
    expect(store.search("ev-1").map((t) => t.traceId)).toEqual([TRACE]);
    expect(store.search("inc-1").map((t) => t.traceId)).toEqual([TRACE]);
    expect(store.search("nothing")).toEqual([]);
  });

  it("ranks an event's own trace first, before the limit applies", () => {
    const store = new TraceStore();
    const own = "1-00000000-000000000000000000000001";
    const batch = "1-00000000-000000000000000000000002";
    // The event's own trace (its bus span is the root) is older than a batch trace it ran in.
    store.add(seg("a", { trace_id: own, annotations: { eventId: "ev-9" } }));
    store.add(seg("b", { trace_id: batch, annotations: { eventId: "ev-other" } }));
    store.add(seg("c", { trace_id: batch, parent_id: "b", annotations: { eventId: "ev-9" } }));
    expect(store.search("ev-9", 1).map((t) => t.traceId)).toEqual([own]);
    expect(store.search("ev-9").map((t) => t.traceId)).toEqual([own, batch]);
    expect(store.search(undefined, 1).map((t) => t.traceId)).toEqual([batch]);
  });

  it("lets a complete document replace its in-progress one, never the reverse", () => {
    const store = new TraceStore();
    store.add(seg("a", { in_progress: true, end_time: undefined }));
    store.add(seg("a", { end_time: 101 }));
    store.add(seg("a", { in_progress: true, end_time: undefined }));
    expect(store.get(TRACE)).toHaveLength(1);
    expect(store.get(TRACE)?.[0]?.end_time).toBe(101);
    expect(store.stats().segments).toBe(1);
  });

  it("drops the least recently updated traces past its caps", () => {
    const store = new TraceStore({ maxTraces: 2, maxSegments: 3 });
    const trace = (n: number) => `1-00000000-${String(n).padStart(24, "0")}`;
    store.add(seg("a", { trace_id: trace(1) }));
    store.add(seg("b", { trace_id: trace(2) }));
    store.add(seg("c", { trace_id: trace(1) })); // trace 1 is now the most recent
    store.add(seg("d", { trace_id: trace(3) })); // over 2 traces: trace 2 goes
    expect(store.get(trace(2))).toBeUndefined();
    expect(store.get(trace(1))).toHaveLength(2);
    store.add(seg("e", { trace_id: trace(3) })); // 4 segments > 3: trace 1 goes
    expect(store.get(trace(1))).toBeUndefined();
    expect(store.stats()).toMatchObject({ traces: 1, segments: 2, evicted: 2 });
  });

  it("refuses documents without a trace, and segments past a trace's own cap", () => {
    const store = new TraceStore({ maxSegmentsPerTrace: 1 });
    store.add({ id: "x", name: "x", start_time: 1 });
    store.add(seg("a"));
    store.add(seg("b"));
    expect(store.stats()).toMatchObject({ segments: 1, rejected: 2 });
  });
});

describe("the UDP daemon", () => {
  it("keeps segments sent as the X-Ray SDK sends them and drops what is not", async () => {
    const store = new TraceStore();
    const daemon = await startTraceDaemon(store);
    const socket = createSocket("udp4");
    const [host = "", port = ""] = daemon.address.split(":");
    const send = (text: string) =>
      new Promise<void>((resolve) => socket.send(text, Number(port), host, () => resolve()));
    try {
      await send(`{"format":"json","version":1}\n${JSON.stringify(seg("a"))}`);
      await send(`{"format":"json","version":1}\nnot json`);
      await send(JSON.stringify(seg("b")));
      await waitFor("three datagrams", () => daemon.stats.received + daemon.stats.unreadable === 3);
      expect(daemon.stats).toEqual({ received: 1, unreadable: 2 });
      expect(store.get(TRACE)?.map((s) => s.id)).toEqual(["a"]);
    } finally {
      socket.close();
      await daemon.stop();
    }
  });
});

describe("the waterfall", () => {
  it("orders spans as a tree, offsets from the trace's start, marks faults and timeouts", () => {
    const view = waterfall(TRACE, [
      {
        ...seg("fn", { parent_id: "bus", start_time: 100.002, end_time: 100.01 }),
        trace_id: TRACE,
      },
      { ...seg("bus", { origin: "AWS::Events" }), trace_id: TRACE },
      {
        ...seg("put", {
          parent_id: "fn",
          start_time: 100.003,
          end_time: 100.004,
          namespace: "aws",
          aws: { operation: "PutItem" },
          fault: true,
          cause: { exceptions: [{ type: "Boom", message: "no" }] },
        }),
        name: "DynamoDB",
        trace_id: TRACE,
      },
      {
        ...seg("late", { parent_id: "bus", start_time: 100.001, annotations: { timedOut: true } }),
        trace_id: TRACE,
      },
    ]);
    expect(view.rows.map((r) => [r.name, r.depth])).toEqual([
      ["bus", 0],
      ["late", 1],
      ["fn", 1],
      ["DynamoDB PutItem", 2],
    ]);
    expect(view.rows[3]).toMatchObject({
      startMs: 3,
      durationMs: 1,
      fault: true,
      cause: "Boom: no",
    });
    expect(view.rows[1]?.timedOut).toBe(true);
    expect(view.faults).toBe(1);
    const text = renderWaterfall(view);
    expect(text).toContain("FAULT: Boom: no");
    expect(text).toContain("TIMED OUT");
  });
});

describe("batch links", () => {
  it("show the run of a batch, recorded in another record's trace, under the link", async () => {
    const tracing = await startTracing({ sampling: SAMPLE_ALL });
    try {
      const first = tracing.rootHeader();
      const second = tracing.rootHeader();
      const spans = invocationSpans(tracing, "Fn", first, [second]);
      const inner = tracing.span(spans.functionHeader, "record", "subsegment");
      inner.end();
      spans.end({ error: "boom" });
      const root = (h: string) => parseTraceHeader(h)?.root ?? "";
      const own = tracing.store.get(root(second)) ?? [];
      expect(own.map((s) => s.origin)).toEqual(["AWS::Lambda"]);
      const shown = waterfall(root(second), traceWithLinks(tracing.store, root(second)) ?? []);
      expect(shown.rows.map((r) => [r.origin, r.depth])).toEqual([
        ["AWS::Lambda", 0],
        ["AWS::Lambda::Function", 1],
        ["subsegment", 2],
      ]);
      expect(shown.rows[0]?.fault).toBe(true);
    } finally {
      await tracing.stop();
    }
  });
});
