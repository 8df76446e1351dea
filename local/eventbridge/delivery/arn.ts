/** Classifies target ARNs: SQS (FIFO or not), SNS, Lambda, event bus, or unsupported. */
export type TargetArn =
  | { readonly kind: "sqs"; readonly fifo: boolean; readonly name: string }
  | { readonly kind: "sns"; readonly name: string }
  | { readonly kind: "lambda"; readonly name: string }
  | { readonly kind: "bus"; readonly name: string }
  | { readonly kind: "unsupported" };

const ARN = /^arn:aws[a-z-]*:([a-z0-9-]+):([a-z0-9-]*):(\d{12})?:(.+)$/;

export function parseTargetArn(arn: string): TargetArn | undefined {
  const m = ARN.exec(arn);
  if (!m) return undefined;
  const [, service, , , resource = ""] = m;
  switch (service) {
    case "sqs":
      return { kind: "sqs", fifo: resource.endsWith(".fifo"), name: resource };
    case "sns":
      return { kind: "sns", name: resource };
    case "lambda":
      return resource.startsWith("function:")
        ? { kind: "lambda", name: resource.slice("function:".length) }
        : undefined;
    case "events":
      return resource.startsWith("event-bus/")
        ? { kind: "bus", name: resource.slice("event-bus/".length) }
        : { kind: "unsupported" };
    default:
      return { kind: "unsupported" };
  }
}
