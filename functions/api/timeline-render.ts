/**
 * Renderings of a causal timeline, shared by the API and `buzzville timeline`: JSON (a page of
 * it), plain text by step, and a mermaid sequenceDiagram whose concurrent steps are `par` blocks.
 */
import type { Story } from "./story.ts";
import type { Timeline, TimelineEntry } from "./timeline.ts";

/** The participant of an event: its producer without the instance or run suffix. */
export function participantOf(producerId: string): string {
  return producerId.split("/")[0]?.split(":")[0] ?? producerId;
}

export function timelineJson(story: Story, timeline: Timeline, events = timeline.events) {
  return {
    kind: story.kind,
    id: story.id,
    correlationIds: story.correlationIds,
    window: story.window,
    total: timeline.events.length,
    steps: timeline.steps,
    outOfOrder: timeline.outOfOrder,
    events,
  };
}

function stepsOf(timeline: Timeline): TimelineEntry[][] {
  const out = new Map<number, TimelineEntry[]>();
  for (const e of timeline.events) out.set(e.step, [...(out.get(e.step) ?? []), e]);
  return [...out.entries()].sort(([a], [b]) => a - b).map(([, step]) => step);
}

export function timelineText(story: Story, timeline: Timeline): string {
  const lines = [
    `timeline of ${story.kind} ${story.id} (correlation ${story.correlationIds.join(", ")}): ${timeline.events.length} event(s) in ${timeline.steps} step(s), read ${story.window.from} .. ${story.window.to}`,
  ];
  for (const [i, step] of stepsOf(timeline).entries()) {
    const parallel = step.length > 1 ? `  (${step.length} concurrent)` : "";
    lines.push(`step ${i + 1}${parallel}`);
    for (const e of step) {
      const mark = step.length > 1 ? "‖" : "│";
      const clock = e.vectorClock ? ` ${JSON.stringify(e.vectorClock)}` : "";
      lines.push(
        `  ${mark} ${e.occurredAt}  ${e.type.padEnd(24)} ${participantOf(e.producerId).padEnd(22)} ${e.streamId} v${e.version}  L${e.lamport}${clock}  ${e.eventId}`,
      );
      for (const a of e.anomalies) lines.push(`    ! before its cause ${e.causationId}: ${a}`);
    }
  }
  if (timeline.outOfOrder.length > 0) {
    lines.push(`${timeline.outOfOrder.length} event(s) out of causal order (marked !)`);
  }
  return `${lines.join("\n")}\n`;
}

export function timelineMermaid(timeline: Timeline): string {
  const names = [...new Set(timeline.events.map((e) => participantOf(e.producerId)))];
  const alias = new Map(names.map((n, i) => [n, `P${i + 1}`]));
  const byId = new Map(timeline.events.map((e) => [e.eventId, e]));
  const who = (e: TimelineEntry) => alias.get(participantOf(e.producerId)) ?? "P0";
  const lines = ["sequenceDiagram", ...names.map((n) => `  participant ${alias.get(n)} as ${n}`)];
  const message = (e: TimelineEntry, indent: string) => {
    const cause = e.causationId ? byId.get(e.causationId) : undefined;
    lines.push(
      cause
        ? `${indent}${who(cause)}->>${who(e)}: ${e.type}`
        : `${indent}Note over ${who(e)}: ${e.type}`,
    );
    if (e.anomalies.length > 0)
      lines.push(`${indent}Note over ${who(e)}: handled before its cause`);
  };
  for (const [i, step] of stepsOf(timeline).entries()) {
    if (step.length === 1 && step[0]) {
      message(step[0], "  ");
      continue;
    }
    step.forEach((e, j) => {
      lines.push(j === 0 ? `  par step ${i + 1}` : "  and");
      message(e, "    ");
    });
    lines.push("  end");
  }
  return `${lines.join("\n")}\n`;
}
