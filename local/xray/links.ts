/**
 * A trace with its batch links resolved: where a record's trace has an AWS::Lambda segment
 * linking to the invocation that ran its batch in another record's trace (local/xray/hops.ts
 * invocationSpans), the run (the linked segment's subsegments and segments below it) is shown
 * under the link, so every sampled event's waterfall reaches into the function that handled it.
 */
import { LINK_SEGMENT, LINK_TRACE } from "./hops.ts";
import type { StoredSegment } from "./segment.ts";
import type { TraceStore } from "./store.ts";

function linkOf(s: StoredSegment): { trace: string; segment: string } | undefined {
  const local = s.metadata?.local as Record<string, unknown> | undefined;
  const trace = local?.[LINK_TRACE];
  const segment = local?.[LINK_SEGMENT];
  return typeof trace === "string" && typeof segment === "string" ? { trace, segment } : undefined;
}

/** The segments below `rootId` (not itself) among `segments`. */
function below(segments: readonly StoredSegment[], rootId: string): StoredSegment[] {
  const children = new Map<string, StoredSegment[]>();
  for (const s of segments) {
    if (s.parent_id === undefined) continue;
    const list = children.get(s.parent_id) ?? [];
    list.push(s);
    children.set(s.parent_id, list);
  }
  const out: StoredSegment[] = [];
  const stack = [...(children.get(rootId) ?? [])];
  while (stack.length > 0) {
    const s = stack.pop() as StoredSegment;
    out.push(s);
    stack.push(...(children.get(s.id) ?? []));
  }
  return out;
}

/** The trace's segments plus, under each batch link, the linked run (re-parented to the link). */
export function traceWithLinks(store: TraceStore, traceId: string): StoredSegment[] | undefined {
  const own = store.get(traceId);
  if (!own) return undefined;
  const out = [...own];
  for (const segment of own) {
    const link = linkOf(segment);
    if (!link) continue;
    const linked = store.get(link.trace);
    if (!linked) continue;
    for (const s of below(linked, link.segment)) {
      const parent = s.parent_id === link.segment ? segment.id : s.parent_id;
      out.push({ ...s, trace_id: traceId, ...(parent ? { parent_id: parent } : {}) });
    }
  }
  return out;
}
