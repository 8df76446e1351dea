import { describe, expect, it } from "vitest";
import { intFlag, isoInstant, parseFlags, TARGET_FLAGS } from "../../../bin/ops/args.ts";
import { AwsClients, awsSettings } from "../../../bin/ops/aws.ts";
import { OpsUsageError } from "../../../bin/ops/errors.ts";

describe("isoInstant", () => {
  it("accepts instants with a zone, to the millisecond", () => {
    expect(isoInstant("from", "2026-11-23T10:00:00Z")).toBe(Date.UTC(2026, 10, 23, 10));
    expect(isoInstant("from", "2026-11-23T11:00:00+01:00")).toBe(Date.UTC(2026, 10, 23, 10));
    expect(isoInstant("from", "2026-11-23T10:00:00.250Z")).toBe(Date.UTC(2026, 10, 23, 10) + 250);
    expect(isoInstant("from", undefined)).toBeUndefined();
  });

  it.each([
    "yesterday",
    "2026-11-23",
    "2026-11-23T10:00:00",
    "2026-13-45T10:00:00Z",
    "1700000000000",
  ])("rejects %j naming the flag and an example", (value) => {
    expect(() => isoInstant("from", value)).toThrow(
      new OpsUsageError(
        `--from must be an ISO-8601 instant like 2026-11-23T10:00:00Z, got ${JSON.stringify(value)}`,
      ),
    );
  });
});

describe("intFlag and parseFlags", () => {
  it("checks integer ranges", () => {
    expect(intFlag("max", "5", { min: 1, max: 10 })).toBe(5);
    expect(() => intFlag("max", "0", { min: 1, max: 10 })).toThrow(
      '--max must be an integer from 1 to 10, got "0"',
    );
    expect(() => intFlag("max", "2.5", { min: 1, max: 10 })).toThrow('got "2.5"');
  });

  it("names the unknown flag and lists the allowed ones", () => {
    expect(() => parseFlags("dlq list", ["--bogus"], TARGET_FLAGS)).toThrow(
      /dlq list: Unknown option '--bogus'.*Allowed flags: --endpoint, --region, --profile, --prefix, --stack, --help/,
    );
    expect(parseFlags("stream", ["s#1", "--endpoint", "http://x:1"], TARGET_FLAGS, true)).toEqual({
      values: { endpoint: "http://x:1" },
      positionals: ["s#1"],
    });
  });
});

describe("awsSettings", () => {
  it("uses the standard environment, flags first, dummy keys only for an endpoint without credentials", () => {
    expect(awsSettings({}, { AWS_ENDPOINT_URL: "http://127.0.0.1:4566" })).toEqual({
      endpoint: "http://127.0.0.1:4566",
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    expect(
      awsSettings(
        { endpoint: "http://localhost:9000", region: "eu-west-1" },
        {
          AWS_ENDPOINT_URL: "http://127.0.0.1:4566",
          AWS_ACCESS_KEY_ID: "AKIA",
          AWS_REGION: "us-west-2",
        },
      ),
    ).toEqual({ endpoint: "http://localhost:9000", region: "eu-west-1" });
    expect(awsSettings({}, { AWS_PROFILE: "city", AWS_DEFAULT_REGION: "eu-central-1" })).toEqual({
      profile: "city",
      region: "eu-central-1",
    });
    expect(awsSettings({}, { AWS_ENDPOINT_URL: "" })).toEqual({});
  });

  it("honours AWS_ENDPOINT_URL_<SERVICE> per service; --endpoint overrides them all", () => {
    const env = {
      AWS_ENDPOINT_URL: "http://127.0.0.1:4566",
      AWS_ENDPOINT_URL_CLOUDFORMATION: "http://127.0.0.1:4599",
    };
    const settings = awsSettings({}, env);
    expect(settings.serviceEndpoints).toEqual({ CLOUDFORMATION: "http://127.0.0.1:4599" });
    const aws = new AwsClients(settings);
    expect(aws.endpointOf("CLOUDFORMATION")).toBe("http://127.0.0.1:4599");
    expect(aws.endpointOf("SQS")).toBe("http://127.0.0.1:4566");
    expect(aws.describe("CLOUDFORMATION")).toBe("http://127.0.0.1:4599 (us-east-1)");
    const flagged = new AwsClients(awsSettings({ endpoint: "http://localhost:9000" }, env));
    expect(flagged.endpointOf("CLOUDFORMATION")).toBe("http://localhost:9000");
    // A service endpoint alone also means "not AWS": a region and dummy keys by default.
    expect(awsSettings({}, { AWS_ENDPOINT_URL_SQS: "http://127.0.0.1:1" })).toEqual({
      serviceEndpoints: { SQS: "http://127.0.0.1:1" },
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    expect(() => awsSettings({}, { AWS_ENDPOINT_URL_CLOUDFORMATION: "cfn" })).toThrow(
      "environment variable AWS_ENDPOINT_URL_CLOUDFORMATION is invalid",
    );
  });

  it("rejects a malformed endpoint, naming the variable or flag", () => {
    expect(() => awsSettings({}, { AWS_ENDPOINT_URL: "localhost:4566" })).toThrow(
      "environment variable AWS_ENDPOINT_URL is invalid",
    );
    expect(() => awsSettings({ endpoint: "nope" }, {})).toThrow(
      '--endpoint must be a URL like http://127.0.0.1:4566, got "nope"',
    );
  });
});
