/**
 * EventBridge emulator (library). The gateway mounts `handle()` on `x-amz-target: AWSEvents.*`
 * requests and implements `TargetDispatcher` to reach the local SQS/SNS/Lambda.
 */
export {
  DeliveryError,
  isRetriable,
  PERMANENT_ERROR_NAMES,
} from "./delivery/errors.ts";
export {
  EventBridgeError,
  InvalidEventPatternError,
  ResourceAlreadyExistsError,
  ResourceNotFoundError,
  UnknownOperationError,
  ValidationError,
} from "./errors.ts";
export { compilePattern, matchesPattern } from "./patterns/index.ts";
export { createEventBridgeService } from "./service.ts";
export type {
  Clock,
  DeliveryRef,
  EventBridgeObservation,
  EventBridgeObserver,
  EventBridgeRequest,
  EventBridgeResponse,
  EventBridgeService,
  EventBridgeServiceOptions,
  EventEnvelope,
  ExhaustedCondition,
  PutEventsEntryInput,
  PutEventsResult,
  PutEventsResultEntry,
  Scheduler,
  SqsMessageAttribute,
  SqsSendOptions,
  TargetDispatcher,
} from "./types.ts";
