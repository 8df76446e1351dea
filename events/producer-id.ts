/**
 * Producer ids, optionally per instance. Sequence numbers and Lamport clocks live in memory and
 * restart at 1 with every instance (a Lambda cold start, a process restart), so a producer that
 * runs as several instances stamps `<producerId>/<instanceId>`: (producerId, sequence) never
 * repeats, and consumers track sequences per producerId.
 */
import { CityEventError } from "./errors.ts";
import { newInstanceId } from "./ids.ts";

const PRODUCER_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
const INSTANCE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/**
 * The producer id to stamp. `instanceId`: `false` → `producerId` as is; `true` → a random
 * 8-character instance id drawn from `random`; a string → that instance id. Throws a
 * CityEventError naming the value when either part is malformed or the result is too long.
 */
export function resolveProducerId(
  producerId: unknown,
  instanceId: string | boolean,
  random: () => number,
): { readonly producerId: string; readonly instanceId: string | undefined } {
  if (typeof producerId !== "string" || !PRODUCER_ID.test(producerId)) {
    throw new CityEventError(
      `CityEventPublisher: producerId must be 1-128 letters, digits or . _ : / -, got ${JSON.stringify(producerId)}`,
    );
  }
  if (instanceId === false) return { producerId, instanceId: undefined };
  const instance = instanceId === true ? newInstanceId(random) : instanceId;
  if (typeof instance !== "string" || !INSTANCE_ID.test(instance)) {
    throw new CityEventError(
      `CityEventPublisher: instanceId must be true, false or 1-64 letters, digits or . _ : -, got ${JSON.stringify(instance)}`,
    );
  }
  const full = `${producerId}/${instance}`;
  if (full.length > 128) {
    throw new CityEventError(
      `CityEventPublisher: producerId + "/" + instanceId must be at most 128 characters, got ${full.length} (${JSON.stringify(full)})`,
    );
  }
  return { producerId: full, instanceId: instance };
}
