/**
 * The city API in the default stack: HTTP API → one read-only Lambda, IAM-authorized, throttled,
 * access-logged, with an output of its URL (aws-cdk-lib/assertions, GIVEN the default stack).
 */
import { App, Stack } from "aws-cdk-lib";
import { Match, type Template } from "aws-cdk-lib/assertions";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { CITY_API_IDS, CITY_API_TABLE_ACTIONS, CityApi } from "../../infra/constructs/city-api.ts";
import { PROJECT_ROOT } from "../../infra/stack.ts";
import { RESOURCE_ENV } from "../../infra/topology.ts";
import { defaultTemplate } from "./shared-stack.ts";
import {
  actionsOf,
  propsOf,
  resourcesOf,
  roleOfFunction,
  statementsOfRole,
} from "./template-helpers.ts";

export function describeCityApi(): void {
  describe("default stack: city API", () => {
    let template: Template;

    beforeAll(() => {
      template = defaultTemplate();
    });

    it("routes GET /api/{proxy+} to the API function with IAM authorization", () => {
      template.hasResourceProperties("AWS::ApiGatewayV2::Api", {
        ProtocolType: "HTTP",
        Name: "BuzzVille-dev-city-api",
      });
      template.hasResourceProperties("AWS::ApiGatewayV2::Route", {
        RouteKey: "GET /api/{proxy+}",
        AuthorizationType: "AWS_IAM",
      });
      template.hasResourceProperties("AWS::ApiGatewayV2::Integration", {
        IntegrationType: "AWS_PROXY",
        PayloadFormatVersion: "2.0",
        IntegrationUri: { "Fn::GetAtt": [CITY_API_IDS.function, "Arn"] },
      });
      // No route is left open.
      const routes = template.findResources("AWS::ApiGatewayV2::Route");
      expect(Object.values(routes).map((r) => r.Properties.AuthorizationType)).toEqual(["AWS_IAM"]);
    });

    it("throttles the $default stage and writes access logs to a log group with retention", () => {
      template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
        StageName: "$default",
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
        AccessLogSettings: {
          DestinationArn: { "Fn::GetAtt": [CITY_API_IDS.accessLogs, "Arn"] },
          Format: Match.stringLikeRegexp("requestId"),
        },
      });
      template.hasResourceProperties("AWS::Logs::LogGroup", {
        RetentionInDays: 30,
      });
      expect(
        propsOf(template, "AWS::Logs::LogGroup", CITY_API_IDS.accessLogs).RetentionInDays,
      ).toBe(30);
    });

    it("runs like the consumers (ARM64, Node 24, active tracing) with the tables' names", () => {
      template.hasResourceProperties("AWS::Lambda::Function", {
        Architectures: ["arm64"],
        Runtime: "nodejs24.x",
        TracingConfig: { Mode: "Active" },
        LoggingConfig: { LogGroup: { Ref: CITY_API_IDS.logGroup } },
        Environment: {
          Variables: Match.objectLike({
            POWERTOOLS_SERVICE_NAME: "api",
            [RESOURCE_ENV.eventsTable]: { Ref: "EventsTable" },
            [RESOURCE_ENV.readModelsTable]: { Ref: "ReadModelsTable" },
          }),
        },
      });
    });

    it("may only read the events and read-models tables (no writes, no scans)", () => {
      const statements = statementsOfRole(
        template,
        roleOfFunction(template, CITY_API_IDS.function),
      );
      const dynamo = statements.flatMap(actionsOf).filter((a) => a.startsWith("dynamodb:"));
      expect(new Set(dynamo)).toEqual(new Set(CITY_API_TABLE_ACTIONS));
      const tables = statements
        .filter((s) => actionsOf(s).some((a) => a.startsWith("dynamodb:")))
        .flatMap(resourcesOf)
        .map((r) => JSON.stringify(r));
      expect(tables.join(" ")).toMatch(/EventsTable/);
      expect(tables.join(" ")).toMatch(/ReadModelsTable/);
      expect(tables.join(" ")).not.toMatch(/IdempotencyTable/);
    });

    it("outputs the API URL", () => {
      template.hasOutput("CityApiUrl", {
        Value: { "Fn::Join": ["", Match.arrayWith([{ Ref: CITY_API_IDS.api }])] },
      });
    });

    it("refuses a throttle outside what API Gateway accepts", () => {
      const stack = new Stack(new App(), "ApiProps");
      const table = new dynamodb.Table(stack, "T", {
        partitionKey: { name: "pk", type: dynamodb.AttributeType.STRING },
      });
      expect(
        () =>
          new CityApi(stack, "Api", {
            eventsTable: table,
            readModelsTable: table,
            projectRoot: PROJECT_ROOT,
            bundle: false,
            throttleRateLimit: 0,
          }),
      ).toThrow(/throttleRateLimit/);
    });
  });
}
