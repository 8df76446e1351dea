// The city map: an SVG layout of the simulator's city model (zones, the 8×6 street grid of 48
// intersections), coloured from the city API's read models pushed over /ws/live.

const SVG_NS = "http://www.w3.org/2000/svg";
const STEP = 100;
const MARGIN = 70;

function el(name, attrs, parent) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (parent) parent.appendChild(node);
  return node;
}

class CityMap {
  constructor(svg, layout, onPick) {
    this.svg = svg;
    this.layout = layout;
    this.onPick = onPick;
    this.lights = new Map();
    this.zones = new Map();
    this.byId = new Map(layout.intersections.map((i) => [i.id, i]));
    this.draw();
  }

  x(col) {
    return MARGIN + col * STEP;
  }

  y(row) {
    return MARGIN + (this.layout.rows - 1 - row) * STEP;
  }

  draw() {
    const { cols, rows } = this.layout;
    const width = 2 * MARGIN + (cols - 1) * STEP;
    const height = 2 * MARGIN + (rows - 1) * STEP;
    this.svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.svg.replaceChildren();
    for (const z of this.layout.zones) {
      const g = el("g", { class: "zone", "data-zone": z.id }, this.svg);
      el(
        "rect",
        {
          x: this.x(z.col) - STEP / 2 + 4,
          y: this.y(z.row + z.height - 1) - STEP / 2 + 4,
          width: z.width * STEP - 8,
          height: z.height * STEP - 8,
          rx: 10,
        },
        g,
      );
      const label = el(
        "text",
        {
          x: this.x(z.col) - STEP / 2 + 12,
          y: this.y(z.row + z.height - 1) - STEP / 2 + 22,
        },
        g,
      );
      label.textContent = `${z.id} ${z.name}`;
      this.zones.set(z.id, { g, zone: z });
    }
    for (let r = 0; r < rows; r++) {
      el(
        "line",
        { class: "street", x1: this.x(0), x2: this.x(cols - 1), y1: this.y(r), y2: this.y(r) },
        this.svg,
      );
    }
    for (let c = 0; c < cols; c++) {
      el(
        "line",
        { class: "street", x1: this.x(c), x2: this.x(c), y1: this.y(0), y2: this.y(rows - 1) },
        this.svg,
      );
    }
    this.routes = el("g", { class: "routes" }, this.svg);
    for (const i of this.layout.intersections) {
      const dot = el(
        "circle",
        {
          class: "light unknown",
          cx: this.x(i.col),
          cy: this.y(i.row),
          r: 11,
          "data-id": i.id,
        },
        this.svg,
      );
      const title = el("title", {}, dot);
      title.textContent = `${i.id} ${i.address}`;
      dot.addEventListener("click", () => this.onPick({ kind: "intersection", id: i.id }));
      this.lights.set(i.id, dot);
    }
    this.markers = el("g", { class: "markers" }, this.svg);
    this.units = el("g", { class: "units" }, this.svg);
  }

  /**
   * Each dispatch's units along its route (UnitsDispatched: the intersections in order and the
   * ETA): placed by the time since dispatch over the ETA, at the incident once there.
   */
  drawUnits(dispatches, now) {
    this.units.replaceChildren();
    for (const d of dispatches) {
      const points = d.route
        .map((id) => this.byId.get(id))
        .filter(Boolean)
        .map((i) => [this.x(i.col), this.y(i.row)]);
      if (points.length === 0) continue;
      const share =
        d.etaSeconds > 0 ? Math.min(1, (now - d.dispatchedAt) / (d.etaSeconds * 1000)) : 1;
      const legs = points.length - 1;
      const at = share * legs;
      const leg = Math.min(legs - 1, Math.floor(at));
      const [x0, y0] = points[Math.max(0, leg)];
      const [x1, y1] = points[Math.max(0, Math.min(legs, leg + 1))];
      const f = legs === 0 ? 0 : at - Math.max(0, leg);
      const cx = x0 + (x1 - x0) * f;
      const cy = y0 + (y1 - y0) * f;
      const g = el(
        "g",
        { class: `unit ${share >= 1 ? "on-scene" : "moving"}`, "data-incident": d.incidentId },
        this.units,
      );
      el("rect", { x: cx - 9, y: cy - 9, width: 18, height: 18, rx: 3 }, g);
      const label = el("text", { x: cx, y: cy + 4 }, g);
      label.textContent = String(d.unitIds.length);
      const title = el("title", {}, g);
      title.textContent = `${d.unitIds.join(", ")} → ${d.incidentId} (${share >= 1 ? "on scene" : `${Math.round(share * 100)} % of the route, ETA ${d.etaSeconds} s`})`;
    }
  }

  /** Pre-empted intersections next to each other on the grid, joined: the route held green. */
  drawRoutes(intersections) {
    this.routes.replaceChildren();
    const held = Object.entries(intersections).filter(([, v]) => v.mode === "preempted");
    for (const [a, va] of held) {
      for (const [b, vb] of held) {
        const ia = this.byId.get(a);
        const ib = this.byId.get(b);
        if (!ia || !ib || a >= b || va.incidentId !== vb.incidentId) continue;
        if (Math.abs(ia.col - ib.col) + Math.abs(ia.row - ib.row) !== 1) continue;
        el(
          "line",
          {
            class: "route",
            x1: this.x(ia.col),
            y1: this.y(ia.row),
            x2: this.x(ib.col),
            y2: this.y(ib.row),
          },
          this.routes,
        );
      }
    }
  }

  drawMarkers(zones) {
    this.markers.replaceChildren();
    for (const z of zones) {
      const place = this.zones.get(z.zone);
      if (!place) continue;
      place.g.classList.toggle("incident", z.incidents.length > 0);
      const cx = this.x(place.zone.col) + STEP / 2;
      const cy = this.y(place.zone.row + 1);
      z.incidents.slice(0, 3).forEach((inc, n) => {
        // A flame-red badge (drawn, not an emoji: the page needs no emoji font).
        const m = el("g", { class: "marker incident", "data-incident": inc.id }, this.markers);
        el("circle", { cx: cx - 14 + n * 30, cy, r: 14 }, m);
        const label = el("text", { x: cx - 14 + n * 30, y: cy + 6 }, m);
        label.textContent = "!";
        const title = el("title", {}, m);
        title.textContent = `${inc.id} ${inc.status ?? ""} ${inc.lastEventType ?? ""}`;
        m.addEventListener("click", () => this.onPick({ kind: "incident", id: inc.id }));
      });
      if (z.activeAlerts.length > 0) {
        const a = el("g", { class: "marker alert" }, this.markers);
        const ax = cx + 30;
        const ay = cy - 60;
        el(
          "polygon",
          { points: `${ax},${ay - 14} ${ax + 14},${ay + 10} ${ax - 14},${ay + 10}` },
          a,
        );
        const mark = el("text", { x: ax, y: ay + 7 }, a);
        mark.textContent = "!";
        const title = el("title", {}, a);
        title.textContent = z.activeAlerts.map((x) => x.id).join(", ");
      }
    }
  }

  update(city) {
    for (const [id, dot] of this.lights) {
      const v = city.intersections[id];
      const light = v?.vehicles ?? "unknown";
      dot.setAttribute("class", `light ${light} ${v?.mode ?? "normal"}`);
    }
    this.drawRoutes(city.intersections);
    this.drawMarkers(city.zones);
  }
}

window.CityMap = CityMap;
