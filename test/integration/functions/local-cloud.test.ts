/**
 * The consumers on one local consumer cloud (consumer-cloud.ts): the `buzzville dlq list` repro
 * (../ops/dlq-list-repro.suite.ts), the consumers' effects (consumers.suite.ts) and the dead
 * letters (dead-letters.suite.ts). One boot for the three: none of them reads what another
 * writes (each its own intersections, zones, incidents and events), and the repro, which counts
 * the event store's DLQ, runs first, before anything else dead-letters an event.
 */
import { afterAll, beforeAll } from "vitest";
import { describeDlqListRepro } from "../ops/dlq-list-repro.suite.ts";
import { type ConsumerCloud, startConsumerCloud } from "./consumer-cloud.ts";
import { describeConsumers } from "./consumers.suite.ts";
import { describeDeadLetters } from "./dead-letters.suite.ts";

let c: ConsumerCloud | undefined;
const current = (): ConsumerCloud => {
  if (!c) throw new Error("the consumer cloud did not start");
  return c;
};

beforeAll(async () => {
  c = await startConsumerCloud("fn-it");
}, 120_000);
afterAll(async () => {
  await c?.stop();
});

describeDlqListRepro(current);
describeConsumers(current);
describeDeadLetters(current);
