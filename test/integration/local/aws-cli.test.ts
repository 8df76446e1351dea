/**
 * The AWS CLI against the local cloud. CI installs Debian's `awscli` (2.9.x: SQS over the query
 * protocol, no AWS_ENDPOINT_URL support, so --endpoint-url). When `aws` is missing this test
 * FAILS, on purpose: the AWS CLI path is part of what the local cloud promises.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { topology } from "../../../infra/topology.ts";
import { type LocalCloud, startLocalCloud } from "../../../local/cloud.ts";
import { deployTopology } from "../../../local/deploy.ts";
import type { ResourceMap } from "../../../local/resource-map.ts";
import { waitFor } from "./support.ts";

const run = promisify(execFile);

describe("the AWS CLI drives the local cloud", () => {
  let cloud: LocalCloud;
  let resources: ResourceMap;
  const dir = mkdtempSync(join(tmpdir(), "buzzville-awscli-"));

  async function aws(...args: string[]): Promise<Record<string, unknown>> {
    try {
      const { stdout } = await run(
        "aws",
        ["--endpoint-url", cloud.endpoint, "--output", "json", ...args],
        {
          env: {
            PATH: process.env.PATH ?? "",
            HOME: dir,
            AWS_ACCESS_KEY_ID: "local",
            AWS_SECRET_ACCESS_KEY: "local",
            AWS_DEFAULT_REGION: cloud.region,
            AWS_CONFIG_FILE: join(dir, "config"),
            AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
            AWS_PAGER: "",
          },
        },
      );
      return stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {};
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { stderr?: string };
      if (e.code === "ENOENT") {
        throw new Error(
          "The AWS CLI (`aws`) is not on PATH. Install it (Debian: apt-get install -y awscli; .ci/run does) — this test does not skip.",
        );
      }
      throw new Error(`aws ${args.join(" ")} failed: ${e.stderr ?? e.message}`);
    }
  }

  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0 });
    resources = await deployTopology({ endpoint: cloud.endpoint, region: cloud.region, topology });
  });
  afterAll(async () => {
    await cloud?.stop();
  });

  it("publishes with `aws events put-events` and reads the rule's queue with `aws sqs`", async () => {
    const entries = join(dir, "entries.json");
    writeFileSync(
      entries,
      JSON.stringify([
        {
          EventBusName: resources.bus.name,
          Source: "buzzville.weather",
          DetailType: "WeatherAlertIssued",
          Detail: JSON.stringify({ level: "red", meta: { priority: "normal", eventId: "cli-1" } }),
        },
      ]),
    );
    const put = await aws("events", "put-events", "--entries", `file://${entries}`);
    expect(put.FailedEntryCount).toBe(0);

    const queue = resources.queues.AnalyticsQueue;
    const listed = await aws(
      "sqs",
      "list-queues",
      "--queue-name-prefix",
      `${resources.prefix}-Analytics`,
    );
    expect(listed.QueueUrls).toContain(queue?.url);
    // A long poll: each `aws` is a Python process of about a CPU second, so one call waits for
    // the delivery instead of one call per 50 ms until it comes.
    const received = await waitFor("the event in the analytics queue", async () => {
      const out = await aws(
        "sqs",
        "receive-message",
        "--queue-url",
        queue?.url ?? "",
        "--attribute-names",
        "All",
        "--wait-time-seconds",
        "10",
      );
      const messages = (out.Messages ?? []) as {
        Body: string;
        Attributes: Record<string, string>;
      }[];
      return messages[0];
    });
    expect(JSON.parse(received.Body).detail.meta.eventId).toBe("cli-1");
    expect(received.Attributes.ApproximateReceiveCount).toBe("1");
  });

  it("describes the event store table, the topics and the pipes", async () => {
    const table = await aws(
      "dynamodb",
      "describe-table",
      "--table-name",
      resources.tables.EventsTable?.name ?? "",
    );
    expect((table.Table as { TableStatus: string }).TableStatus).toBe("ACTIVE");
    const topics = (await aws("sns", "list-topics")).Topics as { TopicArn: string }[];
    expect(topics.map((t) => t.TopicArn)).toContain(resources.topics.CitizenAlertsTopic?.arn);
    const pipes = (await aws("pipes", "list-pipes")).Pipes as { Name: string }[];
    expect(pipes.map((p) => p.Name).sort()).toEqual(
      Object.values(resources.pipes)
        .map((p) => p.name)
        .sort(),
    );
  });

  it("gets an AWS-shaped error for a service the local cloud does not serve", async () => {
    await expect(aws("kinesis", "list-streams")).rejects.toThrow(
      /UnknownOperationException.*does not support action "ListStreams" of service "kinesis"/s,
    );
  });
});
