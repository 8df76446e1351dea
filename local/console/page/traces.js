// The Traces tab: recent traces of the local cloud's trace store (pushed over /ws/live, or
// searched by trace id, event id, incident id or correlation id on /console/traces), and one
// trace as a waterfall (/console/traces/{traceId}): each hop and call a bar on the trace's time
// axis, faults, errors and timeouts marked.

const traceState = { query: "", shown: undefined };
const byId = (id) => document.getElementById(id);

function text(tag, value, className) {
  const node = document.createElement(tag);
  node.textContent = value;
  if (className) node.className = className;
  return node;
}

function listTraces(traces) {
  const table = byId("trace-list");
  table.replaceChildren();
  const head = document.createElement("tr");
  for (const h of ["time", "root", "ms", "spans", "faults", "ids"]) head.appendChild(text("th", h));
  table.appendChild(head);
  for (const t of traces) {
    const row = document.createElement("tr");
    row.dataset.trace = t.traceId;
    row.className = `${t.faults + t.errors > 0 ? "failed" : ""} ${t.traceId === traceState.shown ? "shown" : ""}`;
    row.appendChild(text("td", new Date(t.start).toISOString().slice(11, 23)));
    row.appendChild(text("td", t.detailType ? `${t.detailType} on ${t.name}` : t.name));
    row.appendChild(text("td", String(t.durationMs)));
    row.appendChild(text("td", String(t.segments)));
    row.appendChild(text("td", String(t.faults + t.errors)));
    row.appendChild(text("td", t.keys.slice(0, 2).join(" ")));
    row.addEventListener("click", () => showTrace(t.traceId));
    table.appendChild(row);
  }
  if (traces.length === 0) {
    const empty = text("td", traceState.query ? "no trace matches" : "no trace yet", "muted");
    empty.colSpan = 6;
    table.appendChild(document.createElement("tr")).appendChild(empty);
  }
}

function markOf(r) {
  if (r.timedOut) return "timed out";
  if (r.fault) return `fault${r.cause ? `: ${r.cause}` : ""}`;
  if (r.error) return `error${r.cause ? `: ${r.cause}` : ""}`;
  return "";
}

function drawWaterfall(view) {
  const box = byId("waterfall");
  box.classList.remove("muted");
  box.replaceChildren();
  box.appendChild(
    text(
      "h3",
      `${view.traceId} — ${view.durationMs} ms, ${view.rows.length} spans, ${view.faults} faults, ${view.errors} errors`,
    ),
  );
  const total = Math.max(view.durationMs, 0.001);
  for (const r of view.rows) {
    const row = document.createElement("div");
    const failed = r.fault || r.error;
    row.className = `span ${r.timedOut ? "timeout" : ""} ${failed ? "failed" : ""}`;
    row.dataset.origin = r.origin;
    row.dataset.name = r.name;
    const label = text("div", r.name, "label");
    label.style.paddingLeft = `${r.depth * 12}px`;
    label.title = `${r.origin}${r.annotations ? ` ${JSON.stringify(r.annotations)}` : ""}`;
    const track = text("div", "", "track");
    const bar = text("div", "", `bar ${r.origin.replaceAll(":", "-").toLowerCase()}`);
    bar.style.left = `${(100 * r.startMs) / total}%`;
    bar.style.width = `${Math.max(0.4, (100 * r.durationMs) / total)}%`;
    track.appendChild(bar);
    row.append(label, track, text("div", `${r.durationMs} ms`, "took"));
    row.appendChild(text("div", markOf(r), "mark"));
    box.appendChild(row);
  }
}

async function showTrace(traceId) {
  traceState.shown = traceId;
  const res = await fetch(`/console/traces/${traceId}`);
  const body = await res.json();
  if (!res.ok) {
    byId("waterfall").replaceChildren(
      text("p", body.error?.message ?? String(res.status), "muted"),
    );
    return;
  }
  drawWaterfall(body);
  for (const row of byId("trace-list").querySelectorAll("tr[data-trace]"))
    row.classList.toggle("shown", row.dataset.trace === traceId);
}

async function searchTraces() {
  traceState.query = byId("trace-q").value.trim();
  const q = traceState.query ? `&q=${encodeURIComponent(traceState.query)}` : "";
  const res = await fetch(`/console/traces?limit=50${q}`);
  const body = await res.json();
  byId("trace-note").textContent = res.ok
    ? `${body.stats.traces} traces kept (${body.stats.segments} segments)`
    : (body.error?.message ?? String(res.status));
  if (!res.ok) return;
  listTraces(body.traces);
  if (traceState.query && body.traces.length > 0 && !traceState.shown)
    await showTrace(body.traces[0].traceId);
}

/** The live feed's recent traces: shown while no search is typed in. */
window.onLiveTraces = (traces) => {
  if (traceState.query) return;
  listTraces(traces.recent);
  byId("trace-note").textContent =
    `${traces.stats.traces} traces kept (${traces.stats.segments} segments), sampling: ${traces.sampling}`;
};

byId("trace-search").addEventListener("submit", (event) => {
  event.preventDefault();
  traceState.shown = undefined;
  searchTraces();
});
