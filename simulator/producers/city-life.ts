/**
 * City-life producers: transit GPS (trains arriving, buses departing), light sensors with the
 * street-light clock per zone, and event organisers at the venues. Each instance is one
 * producer id; transit vehicles walk their line/route stop by stop.
 */

import type { AnyEventDraft } from "../../events/draft.ts";
import type { Building, BusRoute, City, Intersection, TrainLine, Zone } from "../city.ts";
import { intersectionById } from "../city.ts";
import type { Rng } from "../rng.ts";
import { atBuilding, atIntersection, atZoneCentre } from "./location.ts";

/** Delay (s) from which the catalog rates transit "normal" instead of "info". */
const NOTABLE_DELAY_SECONDS = 600;

/** A train's on-board GPS: reports each arrival along its line, back and forth. */
export class TrainProducer {
  readonly producerId: string;
  private stop = 0;
  private direction = 1;

  constructor(
    private readonly city: City,
    readonly line: TrainLine,
    readonly trainId: string,
  ) {
    this.producerId = `gps-${trainId}`;
  }

  /** The next arrival. `maxDelaySeconds` below 600 keeps it an info-level reading. */
  arrive(rng: Rng, maxDelaySeconds = NOTABLE_DELAY_SECONDS - 1, crowd = 1): AnyEventDraft {
    const stationId = this.line.stationIds[this.stop];
    const station = this.city.trainStations.find((s) => s.id === stationId);
    if (!station) throw new RangeError(`line ${this.line.id} names unknown station ${stationId}`);
    this.advance();
    return {
      type: "TrainArrived",
      payload: {
        trainId: this.trainId,
        lineId: this.line.id,
        stationId: station.id,
        location: atIntersection(intersectionById(this.city, station.intersectionId)),
        platform: String(rng.int(1, 4)),
        delaySeconds: rng.int(-30, maxDelaySeconds),
        passengersEstimate: Math.min(5000, Math.round(rng.int(40, 400) * crowd)),
      },
    };
  }

  private advance(): void {
    const last = this.line.stationIds.length - 1;
    if (this.stop + this.direction < 0 || this.stop + this.direction > last) {
      this.direction = -this.direction;
    }
    this.stop += this.direction;
  }
}

/** A bus's GPS: reports each departure along its route, looping. */
export class BusProducer {
  readonly producerId: string;
  private stop: number;

  constructor(
    private readonly city: City,
    readonly route: BusRoute,
    readonly busId: string,
    startStop: number,
  ) {
    this.producerId = `gps-${busId}`;
    this.stop = startStop % route.stopIntersectionIds.length;
  }

  depart(rng: Rng, maxDelaySeconds = NOTABLE_DELAY_SECONDS - 1, crowd = 1): AnyEventDraft {
    const at: Intersection = intersectionById(
      this.city,
      this.route.stopIntersectionIds[this.stop] ?? "",
    );
    this.stop = (this.stop + 1) % this.route.stopIntersectionIds.length;
    return {
      type: "BusDeparted",
      payload: {
        busId: this.busId,
        routeId: this.route.id,
        stopId: `stop-${at.id}`,
        location: atIntersection(at),
        delaySeconds: rng.int(-20, maxDelaySeconds),
        occupancyPercent: Math.min(150, Math.round(rng.int(10, 70) * crowd)),
      },
    };
  }
}

/** A zone's light sensor and the street-light clock it drives. */
export class LightSensorProducer {
  readonly producerId: string;
  constructor(readonly zone: Zone) {
    this.producerId = `lux-${zone.id}`;
  }

  daylight(phase: "sunrise" | "sunset", rng: Rng): AnyEventDraft {
    return {
      type: "DaylightChanged",
      payload: {
        sensorId: this.producerId,
        location: atZoneCentre(this.zone),
        phase,
        luxLevel: Math.round(phase === "sunrise" ? rng.float(350, 500) : rng.float(250, 400)),
      },
    };
  }

  switchLights(
    state: "on" | "off" | "dimmed",
    reason: "daylight" | "schedule" | "manual" | "fault" | "event",
    rng: Rng,
  ): AnyEventDraft {
    return {
      type: "StreetLightsSwitched",
      payload: {
        circuitId: `sl-${this.zone.id}-${String(rng.int(1, 12)).padStart(2, "0")}`,
        location: atZoneCentre(this.zone),
        state,
        brightnessPercent: state === "off" ? 0 : state === "dimmed" ? 40 : 100,
        lampsCount: rng.int(20, 80),
        reason,
      },
    };
  }
}

/** The organiser of events at one venue. */
export class OrganiserProducer {
  readonly producerId: string;
  constructor(readonly venue: Building) {
    this.producerId = `organiser-${venue.id}`;
  }

  start(spec: {
    readonly publicEventId: string;
    readonly name: string;
    readonly kind: "concert" | "sport" | "festival" | "parade" | "market" | "other";
    readonly expectedAttendance: number;
    readonly durationMinutes: number;
    readonly startsAtMs: number;
  }): AnyEventDraft {
    return {
      type: "PublicEventStarted",
      payload: {
        publicEventId: spec.publicEventId,
        name: spec.name,
        kind: spec.kind,
        venue: this.venue.name,
        location: atBuilding(this.venue),
        expectedAttendance: spec.expectedAttendance,
        durationMinutes: spec.durationMinutes,
        endsAt: new Date(spec.startsAtMs + spec.durationMinutes * 60_000).toISOString(),
      },
    };
  }
}
