/**
 * The incident id of a critical event, derived from its event id, so the emergency service
 * (which opens the incident) and the traffic service (which reroutes around it) name the same
 * incident without talking to each other.
 */
export const incidentIdOf = (causeEventId: string) => `inc-${causeEventId}`;
