/** `buzzville local`: the endpoint with the topology deployed, until stopped. */
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { expectedResources } from "../../../infra/resources.ts";
import { topology } from "../../../infra/topology.ts";
import { runLocal } from "../../../local/up/local-command.ts";
import { clientsFor, waitFor } from "./support.ts";

describe("buzzville local", () => {
  it("serves the deployed topology on one endpoint and stops when aborted", async () => {
    let out = "";
    const stop = new AbortController();
    const running = runLocal({
      port: 0,
      signal: stop.signal,
      out: (t) => {
        out += t;
      },
      err: () => {},
    });
    const endpoint = await waitFor("the endpoint and the deployment", () => {
      const url = out.match(/local cloud: (http:\/\/[^\s]+)/)?.[1];
      return url && out.includes("Deployed:") ? url : undefined;
    });
    expect(out).toContain(`export AWS_ENDPOINT_URL=${endpoint}`);
    const { QueueUrls = [] } = await clientsFor(endpoint).sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: "buzzville-local-" }),
    );
    expect(QueueUrls).toContain(
      `${endpoint}/000000000000/buzzville-local-TrafficSignalsQueue.fifo`,
    );
    expect(QueueUrls).toHaveLength(expectedResources(topology).queues.length);
    stop.abort();
    await running;
    await expect(fetch(`${endpoint}/health`)).rejects.toThrow();
  });
});
