// The operators' console page: one WebSocket (/ws/live) of server-side aggregates, uPlot charts
// of the last few minutes, the city map (map.js), and the dead-letter routes (/console/dlqs).

const HISTORY = 240; // points kept per chart: 2 minutes at two messages a second
const PRIORITIES = ["critical", "high", "normal", "info"];
const COLOURS = [
  "#e5484d",
  "#f07a1a",
  "#2f6fde",
  "#3ecf6e",
  "#8e4ec6",
  "#12a594",
  "#d6409f",
  "#6e56cf",
  "#978365",
  "#0091ff",
];
const $ = (id) => document.getElementById(id);

const state = { map: undefined, subscriptions: [], charts: {}, data: {}, lastCity: undefined };

function cell(tag, text) {
  const node = document.createElement(tag);
  node.textContent = text;
  return node;
}

function fillTable(table, head, rows, classOf) {
  table.replaceChildren();
  const tr = document.createElement("tr");
  for (const h of head) tr.appendChild(cell("th", h));
  table.appendChild(tr);
  for (const row of rows) {
    const r = document.createElement("tr");
    if (classOf) r.className = classOf(row);
    for (const v of row) r.appendChild(cell("td", String(v)));
    table.appendChild(r);
  }
}

function makeChart(id, names) {
  const target = $(id);
  const opts = {
    width: 460,
    height: 200,
    scales: { x: { time: true } },
    series: [
      {},
      ...names.map((label, n) => ({ label, stroke: COLOURS[n % COLOURS.length], width: 2 })),
    ],
    legend: { live: false },
  };
  const data = [[], ...names.map(() => [])];
  state.charts[id] = new uPlot(opts, data, target);
  state.data[id] = data;
}

function push(id, at, values) {
  const data = state.data[id];
  data[0].push(at / 1000);
  values.forEach((v, n) => {
    data[n + 1].push(v);
  });
  if (data[0].length > HISTORY) for (const s of data) s.shift();
  state.charts[id].setData(data);
}

function onHello(msg) {
  state.subscriptions = msg.subscriptions;
  state.map = new CityMap($("map"), msg.layout, showDetail);
  if (!state.charts["chart-priority"]) {
    makeChart("chart-priority", PRIORITIES);
    makeChart("chart-throughput", msg.subscriptions);
    makeChart("chart-latency", msg.subscriptions);
  }
  if (state.lastCity) state.map.update(state.lastCity);
}

function onFlow(flow, functions) {
  push(
    "chart-priority",
    flow.at,
    PRIORITIES.map((p) => flow.eventsPerSecondByPriority[p] ?? 0),
  );
  push(
    "chart-throughput",
    flow.at,
    state.subscriptions.map((s) => flow.deliveriesPerSecond[s] ?? 0),
  );
  push(
    "chart-latency",
    flow.at,
    state.subscriptions.map((s) => flow.latencyMs[s]?.p99 ?? null),
  );
  const types = Object.entries(flow.eventsPerSecondByType).sort((a, b) => b[1] - a[1]);
  fillTable($("types"), ["type", "events/s"], types);
  fillTable(
    $("consumers"),
    ["consumer", "deliveries/s", "delivered", "p50 ms", "p99 ms"],
    state.subscriptions.map((s) => [
      s,
      flow.deliveriesPerSecond[s] ?? 0,
      flow.deliveredTotal[s] ?? 0,
      flow.latencyMs[s]?.p50 ?? "-",
      flow.latencyMs[s]?.p99 ?? "-",
    ]),
  );
  fillTable(
    $("functions"),
    ["function", "invocations", "errors", "timeouts", "crashes"],
    Object.entries(functions).map(([id, f]) => [
      id,
      f.invocations,
      f.errors,
      f.timeouts,
      f.crashes,
    ]),
  );
}

function onQueues(queues) {
  fillTable(
    $("queues"),
    ["queue", "visible", "in flight", "delayed"],
    queues.map((q) => [q.logicalId, q.visible, q.inFlight, q.delayed]),
    (row) => {
      const q = queues.find((x) => x.logicalId === row[0]);
      const dlq = q && (q.role === "dlq" || q.role === "target-dlq") ? "dlq" : "";
      return `${dlq} ${q && q.total > 0 ? "nonzero" : ""}`;
    },
  );
}

function listStories(ul, stories, kind) {
  ul.replaceChildren();
  if (stories.length === 0) ul.appendChild(cell("li", "none")).className = "muted";
  for (const s of stories) {
    const li = cell("li", `${s.zone}: ${s.id} — ${s.status ?? ""} (${s.lastEventType ?? ""})`);
    if (kind) li.addEventListener("click", () => showDetail({ kind, id: s.id }));
    li.dataset.id = s.id;
    ul.appendChild(li);
  }
}

function onCity(city) {
  state.lastCity = city;
  state.map?.update(city);
  const flat = (key) => city.zones.flatMap((z) => z[key].map((s) => ({ ...s, zone: z.zone })));
  listStories($("incidents"), flat("incidents"), "incident");
  listStories($("alerts"), flat("activeAlerts"));
}

async function showDetail(pick) {
  $("detail-title").textContent = `${pick.kind} ${pick.id}`;
  const detail = $("detail");
  detail.textContent = "loading…";
  const urls =
    pick.kind === "intersection"
      ? [
          `/api/intersections/${pick.id}`,
          `/api/streams/${encodeURIComponent(`intersection#${pick.id}`)}?limit=20`,
        ]
      : [`/api/incidents/${encodeURIComponent(pick.id)}/timeline?limit=50`];
  const parts = await Promise.all(urls.map((u) => fetch(u).then((r) => r.json())));
  detail.replaceChildren();
  if (pick.kind === "incident") {
    const ol = document.createElement("ol");
    for (const e of parts[0].events ?? [])
      ol.appendChild(
        cell("li", `${e.occurredAt?.slice(11, 19) ?? ""} ${e.type} (${e.streamId ?? ""})`),
      );
    detail.appendChild(ol);
    return;
  }
  detail.appendChild(
    cell(
      "pre",
      JSON.stringify(
        { mode: parts[0].mode, lights: parts[0].lights, modeIncidentId: parts[0].modeIncidentId },
        null,
        1,
      ),
    ),
  );
  const ol = document.createElement("ol");
  for (const e of parts[1].events ?? [])
    ol.appendChild(cell("li", `v${e.version} ${e.type} ${e.occurredAt?.slice(11, 19) ?? ""}`));
  detail.appendChild(ol);
}

async function loadDlqs() {
  $("dlq-note").textContent = "loading…";
  const body = await (await fetch("/console/dlqs")).json();
  const box = $("dlqs");
  box.replaceChildren();
  const queues = body.queues ?? [];
  for (const q of queues) {
    const card = document.createElement("div");
    card.className = "dlq-card";
    card.dataset.dlq = q.logicalId;
    const h = cell("h3", `${q.logicalId}: ${q.depth} message(s) → ${q.source ?? "?"}`);
    if (q.depth > 0 && q.source) {
      const b = cell("button", "Redrive");
      b.type = "button";
      b.className = "redrive";
      b.addEventListener("click", () => redrive(q));
      h.appendChild(b);
    }
    card.appendChild(h);
    if (q.messages.length > 0) {
      fillTable(
        card.appendChild(document.createElement("table")),
        ["message", "reason", "event", "receives", "first failure", "detail"],
        q.messages.map((m) => [
          m.messageId,
          m.reason,
          m.eventType ?? "",
          m.receiveCount,
          m.firstFailureAt ?? "",
          m.detail,
        ]),
      );
    }
    box.appendChild(card);
  }
  const full = queues.filter((q) => q.depth > 0).length;
  $("dlq-note").textContent = `${full} of ${queues.length} DLQs hold messages`;
}

async function redrive(q) {
  if (!window.confirm(`Move the ${q.depth} message(s) of ${q.logicalId} back to ${q.source}?`))
    return;
  $("dlq-note").textContent = `redriving ${q.logicalId}…`;
  const res = await fetch(`/console/dlqs/${q.logicalId}/redrive`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  const body = await res.json();
  await loadDlqs();
  $("dlq-note").textContent = res.ok
    ? `redrove ${q.logicalId}: ${body.moved} moved${body.completed ? `, ${body.completed} completed` : ""}`
    : `redrive failed: ${body.error?.message ?? res.status}`;
}

function connect() {
  const ws = new WebSocket(`ws://${location.host}/ws/live`);
  ws.onopen = () => {
    $("status").dataset.state = "live";
    $("status").textContent = "live";
  };
  ws.onclose = () => {
    $("status").dataset.state = "closed";
    $("status").textContent = "disconnected; retrying…";
    setTimeout(connect, 2000);
  };
  ws.onmessage = (event) => {
    const msg = JSON.parse(event.data);
    if (msg.type === "hello") return onHello(msg);
    if (!state.map) return;
    if (msg.flow) onFlow(msg.flow, msg.functions ?? {});
    if (msg.queues) onQueues(msg.queues);
    if (msg.city) onCity(msg.city);
    if (msg.traces) window.onLiveTraces(msg.traces);
    state.map.drawUnits(msg.units ?? [], Date.now());
  };
}

for (const b of document.querySelectorAll("nav button")) {
  b.addEventListener("click", () => {
    for (const x of document.querySelectorAll("nav button")) x.classList.toggle("active", x === b);
    for (const t of document.querySelectorAll(".tab"))
      t.classList.toggle("active", t.id === `tab-${b.dataset.tab}`);
    if (b.dataset.tab === "dlq") loadDlqs();
  });
}
$("dlq-refresh").addEventListener("click", loadDlqs);
connect();
