/**
 * Safety producers: weather stations, AI cameras (anomalies, intrusions, the per-zone density
 * feed), building fire panels (smoke/heat detectors and the fire alarm) and gas sensors, and
 * collision sensors at intersections. Each instance is one producer id.
 */

import type { AnyEventDraft } from "../../events/draft.ts";
import type { Building, Intersection, WeatherStation, Zone } from "../city.ts";
import type { Rng } from "../rng.ts";
import { atBuilding, atIntersection, atPoint, atZoneCentre, round } from "./location.ts";

export type WeatherLevel = "yellow" | "orange" | "red";

export interface WeatherAlertSpec {
  readonly alertId: string;
  readonly level: WeatherLevel;
  readonly kind: "storm" | "thunderstorm" | "heatwave" | "flood" | "snow" | "ice" | "wind" | "fog";
  readonly zones: readonly string[];
  readonly headline: string;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly intensity: number;
  readonly windSpeedKmh?: number;
  readonly precipitationMmPerHour?: number;
  readonly temperatureC?: number;
}

export class WeatherStationProducer {
  readonly producerId: string;
  constructor(readonly station: WeatherStation) {
    this.producerId = `weather-${station.id}`;
  }

  issue(spec: WeatherAlertSpec): AnyEventDraft {
    const { zones, ...rest } = spec;
    return {
      type: "WeatherAlertIssued",
      payload: {
        ...rest,
        location: atPoint(this.station, this.station.zone, `Weather station ${this.station.id}`),
        zones: [...zones],
      },
    };
  }

  cancel(spec: WeatherAlertSpec, reason: string): AnyEventDraft {
    return {
      type: "WeatherAlertCancelled",
      payload: {
        alertId: spec.alertId,
        level: spec.level,
        location: atPoint(this.station, this.station.zone, `Weather station ${this.station.id}`),
        zones: [...spec.zones],
        reason,
      },
    };
  }
}

const ROUTINE_ANOMALIES = ["stalled-vehicle", "debris-on-road", "other"] as const;

/** An AI camera watching one intersection. */
export class CameraProducer {
  readonly producerId: string;
  readonly cameraId: string;
  constructor(readonly intersection: Intersection) {
    this.cameraId = `cam-${intersection.id}`;
    this.producerId = this.cameraId;
  }

  /** A routine sighting; `lowConfidence` makes it an info-level reading (confidence < 0.5). */
  anomaly(rng: Rng, lowConfidence: boolean): AnyEventDraft {
    return this.sighting(
      rng.pick(ROUTINE_ANOMALIES),
      lowConfidence ? rng.float(0.2, 0.49) : rng.float(0.55, 0.79),
      rng.float(1, 5),
    );
  }

  sighting(
    anomaly:
      | "crowd-surge"
      | "stalled-vehicle"
      | "wrong-way-driver"
      | "debris-on-road"
      | "flooding"
      | "fire-visible"
      | "other",
    confidence: number,
    intensity: number,
  ): AnyEventDraft {
    return {
      type: "CameraAnomalyDetected",
      payload: {
        cameraId: this.cameraId,
        location: atIntersection(this.intersection),
        anomaly,
        confidence: round(confidence, 2),
        intensity: round(intensity, 1),
      },
    };
  }

  intrusion(building: Building, rng: Rng, confidence: number): AnyEventDraft {
    return {
      type: "IntrusionDetected",
      payload: {
        cameraId: this.cameraId,
        location: atBuilding(building),
        buildingId: building.id,
        area: `${building.name} service entrance`,
        confidence: round(confidence, 2),
        personsCount: rng.int(1, 3),
      },
    };
  }
}

/**
 * The zone's traffic-density feed (the seed's traffic pipeline): the zone's counting camera
 * reports vehicles, speed and occupancy over the last window. `load` 1 = an ordinary hour,
 * higher = rush hour (more vehicles, lower speed).
 */
export class DensityFeedProducer {
  readonly producerId: string;
  readonly cameraId: string;
  constructor(readonly zone: Zone) {
    this.cameraId = `cam-density-${zone.id}`;
    this.producerId = this.cameraId;
  }

  measure(rng: Rng, windowSeconds: number, load: number): AnyEventDraft {
    const perMinute = (this.zone.population / 400) * load * rng.float(0.8, 1.2);
    const occupancy = Math.min(100, 12 * load * rng.float(0.8, 1.2));
    const speed = Math.max(4, 48 / load ** 0.8 + rng.float(-4, 4));
    return {
      type: "TrafficDensityMeasured",
      payload: {
        cameraId: this.cameraId,
        location: atZoneCentre(this.zone),
        windowSeconds,
        vehiclesCounted: Math.round((perMinute * windowSeconds) / 60),
        averageSpeedKmh: round(speed, 1),
        occupancyPercent: round(occupancy, 1),
      },
    };
  }
}

/** A building's fire panel: its smoke/heat detectors and its fire alarm. */
export class FirePanelProducer {
  readonly producerId: string;
  constructor(readonly building: Building) {
    this.producerId = `fire-panel-${building.id}`;
  }

  smoke(floor: number, obscurationPercentPerM: number, temperatureC: number): AnyEventDraft {
    return {
      type: "SmokeDetected",
      payload: {
        detectorId: `smk-${this.building.id}-${floor}`,
        buildingId: this.building.id,
        location: atBuilding(this.building),
        obscurationPercentPerM: round(obscurationPercentPerM, 1),
        temperatureC: round(temperatureC, 1),
      },
    };
  }

  alarm(
    floor: number,
    temperatureC: number,
    trigger: "manual-call-point" | "heat" | "smoke" | "sprinkler" = "heat",
  ): AnyEventDraft {
    return {
      type: "FireAlarmRaised",
      payload: {
        alarmId: `fa-${this.building.id}-${floor}`,
        buildingId: this.building.id,
        location: atBuilding(this.building),
        trigger,
        floor: Math.min(floor, this.building.floors),
        temperatureC: round(temperatureC, 1),
        severity: "critical",
      },
    };
  }
}

export class GasSensorProducer {
  readonly producerId: string;
  constructor(readonly building: Building) {
    this.producerId = `gas-${building.id}`;
  }

  leak(gas: "methane" | "propane" | "carbon-monoxide", ppm: number): AnyEventDraft {
    return {
      type: "GasLeakDetected",
      payload: {
        sensorId: this.producerId,
        buildingId: this.building.id,
        location: atBuilding(this.building),
        gas,
        ppm: Math.round(ppm),
      },
    };
  }
}

export class CollisionSensorProducer {
  readonly producerId: string;
  constructor(readonly intersection: Intersection) {
    this.producerId = `collision-${intersection.id}`;
  }

  accident(
    severity: "low" | "medium" | "high" | "critical",
    vehiclesInvolved: number,
    injuriesReported: number,
    lanesBlocked: number,
  ): AnyEventDraft {
    return {
      type: "AccidentDetected",
      payload: {
        sensorId: this.producerId,
        location: atIntersection(this.intersection),
        severity,
        vehiclesInvolved,
        injuriesReported,
        lanesBlocked,
      },
    };
  }
}
