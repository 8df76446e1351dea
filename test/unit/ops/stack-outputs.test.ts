import { describe, expect, it } from "vitest";
import { AwsClients } from "../../../bin/ops/aws.ts";
import { deploymentFrom, PrefixDeployment, StackDeployment } from "../../../bin/ops/deployment.ts";
import { DiscoveryError, OpsUsageError } from "../../../bin/ops/errors.ts";
import { OUTPUT_KEYS, requiredOutputKeys, StackOutputs } from "../../../bin/ops/stack-outputs.ts";
import { expectedResources } from "../../../infra/resources.ts";
import { topology } from "../../../infra/topology.ts";

describe("StackOutputs", () => {
  const stack = new StackOutputs(
    "BuzzVille-dev",
    "UPDATE_ROLLBACK_COMPLETE",
    new Map([
      ["CityBusName", "BuzzVilledevCityBus84B85A39"],
      ["MediaDlqUrl", "https://sqs.eu-west-1.amazonaws.com/1/x"],
    ]),
  );

  it("returns an output's value", () => {
    expect(stack.require("CityBusName", "pass --bus NAME")).toBe("BuzzVilledevCityBus84B85A39");
    expect(stack.get("EventsTableName")).toBeUndefined();
  });

  it("names a missing output, the stack's status and outputs, and the override", () => {
    expect(() => stack.require("EventsTableName", "pass --table NAME")).toThrow(
      new DiscoveryError(
        "stack BuzzVille-dev (UPDATE_ROLLBACK_COMPLETE) has no output EventsTableName; its outputs: CityBusName, MediaDlqUrl. Deploy the current stack (infra/stack.ts declares it), or pass --table NAME",
      ),
    );
  });
});

describe("requiredOutputKeys", () => {
  it("asks for the bus, archive, both tables, every queue url and every rule arn", () => {
    const keys = requiredOutputKeys(topology);
    const r = expectedResources(topology);
    expect(keys).toHaveLength(5 + r.queues.length + r.rules.length);
    expect(keys).toEqual(
      expect.arrayContaining([
        "CityBusName",
        "CityBusArchiveName",
        "EventsTableName",
        "ReadModelsTableName",
        "NotificationBulkDlqUrl",
        "EventStoreIntakeDlqUrl",
        "TrafficSignalsTargetDlqUrl",
        "TrafficSignalsIntakeQueueUrl",
        "EventStoreQueueUrl",
        "AnalyticsRuleArn",
      ]),
    );
    expect(new Set(keys).size).toBe(keys.length);
    expect(OUTPUT_KEYS.queue("MediaDlq")).toBe("MediaDlqUrl");
  });
});

describe("deploymentFrom", () => {
  const aws = new AwsClients({});

  it("--stack reads outputs (lazily), otherwise names by prefix; not both", () => {
    const s = deploymentFrom({ stack: "BuzzVille-dev" }, aws);
    expect(s).toBeInstanceOf(StackDeployment);
    expect(s.label).toBe("stack BuzzVille-dev");
    const p = deploymentFrom({}, aws);
    expect(p).toBeInstanceOf(PrefixDeployment);
    expect(p.label).toBe("prefix buzzville-local");
    expect(deploymentFrom({ prefix: "ops-it" }, aws).label).toBe("prefix ops-it");
    expect(() => deploymentFrom({ stack: "a", prefix: "b" }, aws)).toThrow(OpsUsageError);
  });
});
