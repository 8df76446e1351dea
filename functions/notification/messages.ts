/**
 * Citizen messages: which alerts reach which zones, and the text per language (the registry's
 * languages), personalised by zone. Public, no personal data. Pure.
 */
import type { AnyCityEvent } from "../../events/catalog.ts";
import type { ALERT_TYPES } from "../../events/names.ts";
import { incidentIdOf } from "../shared/incident.ts";
import type { Language } from "./registry.ts";

export type AlertType = (typeof ALERT_TYPES)[number];

export interface Alert {
  readonly alertType: AlertType;
  readonly zones: readonly string[];
  readonly alertId?: string;
  readonly incidentId?: string;
  readonly cancellation: boolean;
  /** Text per language, with `{zone}` for the zone's name. */
  readonly text: Readonly<Record<Language, string>>;
}

const T = (en: string, nl: string, de: string, fr: string) => ({ en, nl, de, fr });

type EventOf<T extends AnyCityEvent["detailType"]> = Extract<AnyCityEvent, { detailType: T }>;
type WeatherEvent = EventOf<"WeatherAlertIssued" | "WeatherAlertCancelled">;
type IncidentEvent = EventOf<"FireAlarmRaised" | "GasLeakDetected" | "AccidentDetected">;

export function alertOf(event: AnyCityEvent): Alert | undefined {
  switch (event.detailType) {
    case "WeatherAlertIssued":
    case "WeatherAlertCancelled":
      return weatherAlert(event);
    case "FireAlarmRaised":
    case "GasLeakDetected":
    case "AccidentDetected":
      return incidentAlert(event);
    default:
      return undefined;
  }
}

/** A weather alert or its cancellation: the alert's zones, by alert id. */
function weatherAlert(event: WeatherEvent): Alert {
  const common = {
    alertType: event.detailType,
    zones: event.detail.zones,
    alertId: event.detail.alertId,
  };
  if (event.detailType === "WeatherAlertCancelled") {
    return {
      ...common,
      cancellation: true,
      text: T(
        "The weather alert for {zone} is cancelled.",
        "Het weeralarm voor {zone} is ingetrokken.",
        "Die Wetterwarnung für {zone} ist aufgehoben.",
        "L'alerte météo pour {zone} est levée.",
      ),
    };
  }
  return {
    ...common,
    cancellation: false,
    text: T(
      `${event.detail.level.toUpperCase()} weather alert for {zone}: ${event.detail.headline}`,
      `Weeralarm ${event.detail.level} voor {zone}: ${event.detail.headline}`,
      `Wetterwarnung ${event.detail.level} für {zone}: ${event.detail.headline}`,
      `Alerte météo ${event.detail.level} pour {zone} : ${event.detail.headline}`,
    ),
  };
}

/** An incident near an address: its zone, by incident id. */
function incidentAlert(event: IncidentEvent): Alert {
  return {
    alertType: event.detailType,
    zones: [event.detail.location.zone],
    incidentId: incidentIdOf(event),
    cancellation: false,
    text: incidentText(event),
  };
}

function incidentText(event: IncidentEvent): Readonly<Record<Language, string>> {
  const address = event.detail.location.address;
  switch (event.detailType) {
    case "FireAlarmRaised":
      return T(
        `Fire near ${address ?? "your area"} in {zone}: follow evacuation instructions.`,
        `Brand bij ${address ?? "uw buurt"} in {zone}: volg de evacuatie-instructies.`,
        `Feuer bei ${address ?? "Ihrer Umgebung"} in {zone}: folgen Sie den Evakuierungsanweisungen.`,
        `Incendie près de ${address ?? "chez vous"} à {zone} : suivez les consignes d'évacuation.`,
      );
    case "GasLeakDetected":
      return T(
        `Gas leak near ${address ?? "your area"} in {zone}: leave the area, no open flames.`,
        `Gaslek bij ${address ?? "uw buurt"} in {zone}: verlaat het gebied.`,
        `Gasleck bei ${address ?? "Ihrer Umgebung"} in {zone}: verlassen Sie das Gebiet.`,
        `Fuite de gaz près de ${address ?? "chez vous"} à {zone} : quittez la zone.`,
      );
    case "AccidentDetected":
      return T(
        `Accident at ${address ?? event.detail.location.intersectionId ?? "a junction"} in {zone}: expect delays.`,
        `Ongeval bij ${address ?? "een kruispunt"} in {zone}: reken op vertraging.`,
        `Unfall bei ${address ?? "einer Kreuzung"} in {zone}: mit Verzögerungen rechnen.`,
        `Accident à ${address ?? "un carrefour"} à {zone} : prévoyez des retards.`,
      );
  }
}

export function personalise(text: Readonly<Record<Language, string>>, zone: string) {
  return Object.fromEntries(
    Object.entries(text).map(([lang, t]) => [lang, t.replaceAll("{zone}", zone)]),
  ) as Record<Language, string>;
}
