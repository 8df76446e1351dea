/**
 * A protocol-faithful stub of one CloudFormation API, DescribeStacks (AWS query protocol: a
 * form-encoded POST answered with the 2010-05-15 XML), on node:http port 0. The local cloud does
 * not emulate CloudFormation, and `--stack` reads nothing else from it.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface StubStack {
  readonly name: string;
  readonly status: string;
  readonly outputs: Readonly<Record<string, string>>;
}

export interface CfnStub {
  readonly endpoint: string;
  /** Every request's form parameters, in order. */
  readonly requests: readonly Readonly<Record<string, string>>[];
  stop(): Promise<void>;
}

const NS = "http://cloudformation.amazonaws.com/doc/2010-05-15/";

const xml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function describeStacksXml(stack: StubStack, region: string): string {
  const outputs = Object.entries(stack.outputs)
    .map(
      ([key, value]) =>
        `<member><OutputKey>${xml(key)}</OutputKey><OutputValue>${xml(value)}</OutputValue><Description>${xml(key)}</Description></member>`,
    )
    .join("");
  return `<DescribeStacksResponse xmlns="${NS}">
  <DescribeStacksResult>
    <Stacks>
      <member>
        <StackId>arn:aws:cloudformation:${region}:123456789012:stack/${xml(stack.name)}/5b5a8c30-c8a1-11ef-9e4c-0a1b2c3d4e5f</StackId>
        <StackName>${xml(stack.name)}</StackName>
        <CreationTime>2026-11-20T09:00:00.000Z</CreationTime>
        <LastUpdatedTime>2026-11-23T08:00:00.000Z</LastUpdatedTime>
        <StackStatus>${xml(stack.status)}</StackStatus>
        <DisableRollback>false</DisableRollback>
        <Capabilities><member>CAPABILITY_IAM</member></Capabilities>
        <Outputs>${outputs}</Outputs>
        <Tags><member><Key>project</Key><Value>buzzville</Value></member></Tags>
        <EnableTerminationProtection>false</EnableTerminationProtection>
      </member>
    </Stacks>
  </DescribeStacksResult>
  <ResponseMetadata><RequestId>9a1d3c2e-0000-4000-8000-000000000001</RequestId></ResponseMetadata>
</DescribeStacksResponse>`;
}

function errorXml(code: string, message: string): string {
  return `<ErrorResponse xmlns="${NS}">
  <Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error>
  <RequestId>9a1d3c2e-0000-4000-8000-000000000002</RequestId>
</ErrorResponse>`;
}

export async function startCfnStub(stacks: readonly StubStack[], region: string): Promise<CfnStub> {
  const requests: Record<string, string>[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      const params = Object.fromEntries(new URLSearchParams(body));
      requests.push(params);
      const reply = (status: number, text: string) => {
        res.writeHead(status, { "content-type": "text/xml", "x-amzn-requestid": "stub" });
        res.end(text);
      };
      if (req.method !== "POST" || params.Version !== "2010-05-15") {
        return reply(400, errorXml("InvalidAction", "expected a 2010-05-15 query-protocol POST"));
      }
      if (params.Action !== "DescribeStacks") {
        return reply(400, errorXml("InvalidAction", `${params.Action} is not stubbed`));
      }
      const stack = stacks.find((s) => s.name === params.StackName);
      if (!stack) {
        return reply(
          400,
          errorXml("ValidationError", `Stack with id ${params.StackName ?? ""} does not exist`),
        );
      }
      return reply(200, describeStacksXml(stack, region));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
