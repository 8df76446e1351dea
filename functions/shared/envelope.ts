/**
 * The city event in an SQS record: the EventBridge event in the body, validated through the
 * events catalog (known detail-type, the catalog's source, payload and meta schemas).
 */
import type { AnyCityEvent } from "../../events/catalog.ts";
import { InvalidEventError } from "../../events/errors.ts";
import { parseCityEvent } from "../../events/validate.ts";
import { RecordValidationError } from "./errors.ts";

export type { AnyCityEvent, CityEventOf } from "../../events/catalog.ts";
export type { EventMeta } from "../../events/envelope.ts";

/**
 * Parses an SQS record body. Accepts the EventBridge event itself (rule -> queue, or a pipe with
 * the `<$.body>` input template) and a pipe-forwarded SQS record whose `body` holds it.
 * Throws RecordValidationError naming the offending field, rule and allowed values.
 */
export function parseRecordBody(body: string): AnyCityEvent {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (cause) {
    throw new RecordValidationError(
      `SQS record body is not JSON (starts with ${JSON.stringify(body.slice(0, 80))}); an EventBridge event JSON object is required`,
      { cause },
    );
  }
  if (isObject(json) && typeof json.body === "string" && !("detail" in json)) {
    return parseRecordBody(json.body);
  }
  try {
    return parseCityEvent(json);
  } catch (error) {
    if (error instanceof InvalidEventError) {
      throw new RecordValidationError(`Invalid city event: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
