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

export function alertOf(event: AnyCityEvent): Alert | undefined {
  const incident = () => ({ incidentId: incidentIdOf(event) });
  switch (event.detailType) {
    case "WeatherAlertIssued":
      return {
        alertType: event.detailType,
        zones: event.detail.zones,
        alertId: event.detail.alertId,
        cancellation: false,
        text: T(
          `${event.detail.level.toUpperCase()} weather alert for {zone}: ${event.detail.headline}`,
          `Weeralarm ${event.detail.level} voor {zone}: ${event.detail.headline}`,
          `Wetterwarnung ${event.detail.level} für {zone}: ${event.detail.headline}`,
          `Alerte météo ${event.detail.level} pour {zone} : ${event.detail.headline}`,
        ),
      };
    case "WeatherAlertCancelled":
      return {
        alertType: event.detailType,
        zones: event.detail.zones,
        alertId: event.detail.alertId,
        cancellation: true,
        text: T(
          "The weather alert for {zone} is cancelled.",
          "Het weeralarm voor {zone} is ingetrokken.",
          "Die Wetterwarnung für {zone} ist aufgehoben.",
          "L'alerte météo pour {zone} est levée.",
        ),
      };
    case "FireAlarmRaised":
      return {
        alertType: event.detailType,
        zones: [event.detail.location.zone],
        ...incident(),
        cancellation: false,
        text: T(
          `Fire near ${event.detail.location.address ?? "your area"} in {zone}: follow evacuation instructions.`,
          `Brand bij ${event.detail.location.address ?? "uw buurt"} in {zone}: volg de evacuatie-instructies.`,
          `Feuer bei ${event.detail.location.address ?? "Ihrer Umgebung"} in {zone}: folgen Sie den Evakuierungsanweisungen.`,
          `Incendie près de ${event.detail.location.address ?? "chez vous"} à {zone} : suivez les consignes d'évacuation.`,
        ),
      };
    case "GasLeakDetected":
      return {
        alertType: event.detailType,
        zones: [event.detail.location.zone],
        ...incident(),
        cancellation: false,
        text: T(
          `Gas leak near ${event.detail.location.address ?? "your area"} in {zone}: leave the area, no open flames.`,
          `Gaslek bij ${event.detail.location.address ?? "uw buurt"} in {zone}: verlaat het gebied.`,
          `Gasleck bei ${event.detail.location.address ?? "Ihrer Umgebung"} in {zone}: verlassen Sie das Gebiet.`,
          `Fuite de gaz près de ${event.detail.location.address ?? "chez vous"} à {zone} : quittez la zone.`,
        ),
      };
    case "AccidentDetected":
      return {
        alertType: event.detailType,
        zones: [event.detail.location.zone],
        ...incident(),
        cancellation: false,
        text: T(
          `Accident at ${event.detail.location.address ?? event.detail.location.intersectionId ?? "a junction"} in {zone}: expect delays.`,
          `Ongeval bij ${event.detail.location.address ?? "een kruispunt"} in {zone}: reken op vertraging.`,
          `Unfall bei ${event.detail.location.address ?? "einer Kreuzung"} in {zone}: mit Verzögerungen rechnen.`,
          `Accident à ${event.detail.location.address ?? "un carrefour"} à {zone} : prévoyez des retards.`,
        ),
      };
    default:
      return undefined;
  }
}

export function personalise(text: Readonly<Record<Language, string>>, zone: string) {
  return Object.fromEntries(
    Object.entries(text).map(([lang, t]) => [lang, t.replaceAll("{zone}", zone)]),
  ) as Record<Language, string>;
}
