/** CreateEventBus, DescribeEventBus, ListEventBuses, DeleteEventBus. */
import type { ActionHandler } from "../context.ts";
import { ResourceAlreadyExistsError, ValidationError } from "../errors.ts";
import { EventBridgeStore } from "../store.ts";
import {
  BUS_NAME,
  checkName,
  optionalString,
  paginate,
  requiredString,
  toEpochSeconds,
} from "../validate.ts";

export const createEventBus: ActionHandler = (input, { store, clock }) => {
  const name = checkName(requiredString(input, "Name", "name"), BUS_NAME);
  if (store.buses.has(name))
    throw new ResourceAlreadyExistsError(`Event bus ${name} already exists.`);
  if (input.EventSourceName !== undefined) {
    throw new ValidationError("Partner event sources are not supported by this emulator.");
  }
  const bus = store.addBus(name, clock.now(), optionalString(input, "Description"));
  return { EventBusArn: bus.arn, ...(bus.description ? { Description: bus.description } : {}) };
};

export const describeEventBus: ActionHandler = (input, { store }) => {
  const bus = store.requireBus(EventBridgeStore.busNameOf(optionalString(input, "Name")));
  return {
    Name: bus.name,
    Arn: bus.arn,
    ...(bus.description ? { Description: bus.description } : {}),
    CreationTime: toEpochSeconds(bus.creationTime),
    LastModifiedTime: toEpochSeconds(bus.lastModifiedTime),
  };
};

export const listEventBuses: ActionHandler = (input, { store }) => {
  const prefix = optionalString(input, "NamePrefix") ?? "";
  const buses = [...store.buses.values()]
    .filter((b) => b.name.startsWith(prefix))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((b) => ({
      Name: b.name,
      Arn: b.arn,
      ...(b.description ? { Description: b.description } : {}),
      CreationTime: toEpochSeconds(b.creationTime),
      LastModifiedTime: toEpochSeconds(b.lastModifiedTime),
    }));
  const { page, nextToken } = paginate(buses, input);
  return { EventBuses: page, ...(nextToken ? { NextToken: nextToken } : {}) };
};

export const deleteEventBus: ActionHandler = (input, { store }) => {
  const name = EventBridgeStore.busNameOf(requiredString(input, "Name", "name"));
  if (name === "default") throw new ValidationError("Cannot delete event bus default.");
  store.buses.delete(name);
  store.rules.delete(name);
  return {};
};
