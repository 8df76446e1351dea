/**
 * The publisher's DEFAULT client (no `client` option) over real HTTP: the standard AWS
 * configuration (AWS_ENDPOINT_URL, AWS_REGION, credentials from env) reaches it, and the SDK's own
 * retries are off, so the publisher's backoff is the only retry layer.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CityEventPublisher, PublishFailedError } from "../../../events/index.ts";
import { density, rejection, T0 } from "./publisher-setup.ts";
import {
  type ErrorAnswer,
  type PutEventsServer,
  setEnv,
  startPutEventsServer,
} from "./putevents-http.ts";

let server: PutEventsServer | undefined;
let restoreEnv: (() => void) | undefined;

async function useServer(answers: readonly ErrorAnswer[] = []) {
  server = await startPutEventsServer(answers);
  restoreEnv = setEnv({
    AWS_ENDPOINT_URL: server.url,
    AWS_ENDPOINT_URL_EVENTBRIDGE: undefined,
    AWS_REGION: "eu-west-3",
    AWS_ACCESS_KEY_ID: "AKIDBUZZTEST",
    AWS_SECRET_ACCESS_KEY: "buzz-test-secret",
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
  });
  return server;
}

beforeEach(() => {
  server = undefined;
  restoreEnv = undefined;
});

afterEach(async () => {
  restoreEnv?.();
  await server?.close();
});

describe("the default EventBridgeClient", () => {
  it("follows the standard AWS configuration: PutEvents reaches AWS_ENDPOINT_URL, signed", async () => {
    const http = await useServer();
    const publisher = new CityEventPublisher({
      busName: "city-bus",
      producerId: "cam-i12-n",
      now: () => T0,
    });
    const [a, b] = await publisher.publish([density(1), density(2)]);
    expect(http.requests).toHaveLength(1);
    const [req] = http.requests;
    expect(req?.method).toBe("POST");
    expect(req?.headers["x-amz-target"]).toBe("AWSEvents.PutEvents");
    expect(req?.headers["content-type"]).toBe("application/x-amz-json-1.1");
    expect(req?.headers.authorization).toContain("Credential=AKIDBUZZTEST/");
    expect(req?.headers.authorization).toContain("/eu-west-3/events/aws4_request");
    const entries = req?.body.Entries ?? [];
    expect(entries.map((e) => [e.EventBusName, e.Source, e.DetailType])).toEqual([
      ["city-bus", "buzzville.camera", "TrafficDensityMeasured"],
      ["city-bus", "buzzville.camera", "TrafficDensityMeasured"],
    ]);
    expect(entries.map((e) => JSON.parse(String(e.Detail)))).toEqual([a?.detail, b?.detail]);
    expect(entries[0]?.Time).toBe(T0 / 1000);
  });

  it("does not retry inside the SDK: one 500 fails a one-attempt publish after one request", async () => {
    const http = await useServer([
      { status: 500, type: "InternalException", message: "injected outage" },
    ]);
    const publisher = new CityEventPublisher({
      busName: "city-bus",
      producerId: "cam-i12-n",
      retry: { maxAttempts: 1 },
    });
    const e = (await rejection(publisher.publish([density(1)]))) as PublishFailedError;
    expect(e).toBeInstanceOf(PublishFailedError);
    expect(http.requests).toHaveLength(1);
    expect(e.failed.map((f) => [f.errorCode, f.errorMessage])).toEqual([
      ["InternalException", "injected outage"],
    ]);
    // the SDK's own exception is kept, with its HTTP metadata
    expect(e.cause).toBeInstanceOf(Error);
    expect(e.cause).toMatchObject({
      name: "InternalException",
      $fault: "server",
      $metadata: { httpStatusCode: 500 },
    });
    expect(e.failed[0]?.cause).toBe(e.cause);
  });

  it("the publisher's backoff is the only retry layer: 500 then 200 is two requests, one sleep", async () => {
    const http = await useServer([
      { status: 500, type: "InternalException", message: "injected outage" },
    ]);
    const sleeps: number[] = [];
    const publisher = new CityEventPublisher({
      busName: "city-bus",
      producerId: "cam-i12-n",
      random: () => 0.5,
      retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    const [event] = await publisher.publish([density(1)]);
    expect(http.requests).toHaveLength(2);
    expect(sleeps).toEqual([50]);
    const ids = http.requests.map((r) => JSON.parse(String(r.body.Entries?.[0]?.Detail)).meta);
    expect(ids.map((m) => m.eventId)).toEqual([
      event?.detail.meta.eventId,
      event?.detail.meta.eventId,
    ]);
  });
});
