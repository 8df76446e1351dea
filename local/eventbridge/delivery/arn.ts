import { tryParseArn } from "../../../events/arn.ts";

/** Classifies target ARNs: SQS (FIFO or not), SNS, Lambda, event bus, or unsupported. */
export type TargetArn =
  | { readonly kind: "sqs"; readonly fifo: boolean; readonly name: string }
  | { readonly kind: "sns"; readonly name: string }
  | { readonly kind: "lambda"; readonly name: string }
  | { readonly kind: "bus"; readonly name: string }
  | { readonly kind: "unsupported" };

/** The target's kind from its ARN (parsed by events/arn.ts); undefined when it is not an ARN. */
export function parseTargetArn(value: string): TargetArn | undefined {
  const arn = tryParseArn(value);
  if (!arn) return undefined;
  const { service, resource } = arn;
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
