/**
 * A minimal EventBridge Pipes REST client (the project has no @aws-sdk/client-pipes): the same
 * requests `aws pipes create-pipe` sends, without SigV4 (the local cloud does not check it).
 */
import { PipeError } from "./types.ts";

export interface PipeInput {
  readonly Source: string;
  readonly Target: string;
  readonly RoleArn: string;
  readonly Description?: string;
  readonly DesiredState?: "RUNNING" | "STOPPED";
  readonly SourceParameters?: Record<string, unknown>;
  readonly TargetParameters?: Record<string, unknown>;
}

export class PipesClient {
  constructor(
    private readonly endpoint: string,
    private readonly region: string,
  ) {}

  private async call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Record<string, unknown>> {
    const response = await fetch(`${this.endpoint}${path}`, {
      method,
      headers: {
        "content-type": "application/json",
        authorization: `AWS4-HMAC-SHA256 Credential=local/20260101/${this.region}/pipes/aws4_request, SignedHeaders=host, Signature=local`,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!response.ok) {
      throw new PipeError(
        response.headers.get("x-amzn-errortype") ?? "PipesError",
        response.status,
        `${method} ${path} failed: ${String(parsed.message ?? text)}`,
      );
    }
    return parsed;
  }

  /** Creates the pipe, or updates it when it exists (idempotent deployment). */
  async putPipe(name: string, input: PipeInput): Promise<{ Arn: string }> {
    const path = `/v1/pipes/${encodeURIComponent(name)}`;
    try {
      return (await this.call("POST", path, input)) as { Arn: string };
    } catch (error) {
      if (!(error instanceof PipeError) || error.code !== "ConflictException") throw error;
      const { Source: _source, ...update } = input;
      return (await this.call("PUT", path, update)) as { Arn: string };
    }
  }

  describePipe(name: string) {
    return this.call("GET", `/v1/pipes/${encodeURIComponent(name)}`);
  }

  listPipes() {
    return this.call("GET", "/v1/pipes") as Promise<{
      Pipes: { Name: string; Arn: string; Source: string; Target: string }[];
    }>;
  }
}
