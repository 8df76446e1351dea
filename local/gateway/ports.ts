/**
 * The interfaces the gateway routes to. Services written in this repository (EventBridge, Pipes)
 * plug in behind them; SQS, SNS and DynamoDB are proxied to embedded backends.
 */

export interface ServiceResponse {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** An AWS JSON protocol service: the `x-amz-target` header (e.g. `AWSEvents.PutEvents`) and the raw JSON body. */
export interface JsonTargetService {
  handle(request: { target: string; body: string }): Promise<ServiceResponse>;
}

/** An AWS REST-JSON service (e.g. Pipes): method, path, query and raw body. */
export interface RestJsonService {
  handle(request: {
    method: string;
    path: string;
    query: URLSearchParams;
    body: string;
  }): Promise<ServiceResponse>;
}
