/**
 * The public surface of the city event catalog. Import from here:
 * `import { parseCityEvent, CityEventPublisher, type PayloadOf } from "../events/index.ts"`.
 */

export * from "./catalog/common.ts";
export * from "./catalog.ts";
export * from "./draft.ts";
export * from "./envelope.ts";
export * from "./errors.ts";
export * from "./ids.ts";
export * from "./in-memory-putevents.ts";
export * from "./issues.ts";
export * from "./logical-clocks.ts";
export * from "./names.ts";
export * from "./producer-id.ts";
export * from "./publisher.ts";
export * from "./publisher-policy.ts";
export * from "./random.ts";
export * from "./schema-docs.ts";
export * from "./sequence.ts";
export * from "./validate.ts";
