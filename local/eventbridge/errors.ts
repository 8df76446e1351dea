/**
 * Errors of the EventBridge emulator, rendered in AWS JSON 1.1 wire format
 * (`{"__type": "...", "message": "..."}` + `x-amzn-ErrorType`) with AWS's own wording.
 */
export class EventBridgeError extends Error {
  readonly code: string;
  readonly statusCode: number;

  constructor(code: string, message: string, statusCode = 400, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EventBridgeError";
    this.code = code;
    this.statusCode = statusCode;
  }

  toWire(): { __type: string; message: string } {
    return { __type: this.code, message: this.message };
  }
}

export class ResourceNotFoundError extends EventBridgeError {
  constructor(message: string) {
    super("ResourceNotFoundException", message);
    this.name = "ResourceNotFoundError";
  }
}

export class ResourceAlreadyExistsError extends EventBridgeError {
  constructor(message: string) {
    super("ResourceAlreadyExistsException", message);
    this.name = "ResourceAlreadyExistsError";
  }
}

export class ValidationError extends EventBridgeError {
  constructor(message: string) {
    super("ValidationException", message);
    this.name = "ValidationError";
  }
}

export class IllegalStatusError extends EventBridgeError {
  constructor(message: string) {
    super("IllegalStatusException", message);
    this.name = "IllegalStatusError";
  }
}

export class UnknownOperationError extends EventBridgeError {
  constructor(action: string) {
    super(
      "UnknownOperationException",
      `Operation ${action} is not supported by the Buzz Ville EventBridge emulator.`,
    );
    this.name = "UnknownOperationError";
  }
}

export class SerializationError extends EventBridgeError {
  constructor(message: string, cause?: unknown) {
    super("SerializationException", message, 400, { cause });
    this.name = "SerializationError";
  }
}

/** Thrown by the pattern compiler; `reason` is event-ruler's reason text. */
export class InvalidEventPatternError extends EventBridgeError {
  readonly reason: string;

  constructor(reason: string, options?: { cause?: unknown }) {
    super(
      "InvalidEventPatternException",
      `Event pattern is not valid. Reason: ${reason}`,
      400,
      options,
    );
    this.name = "InvalidEventPatternError";
    this.reason = reason;
  }
}

export class InternalError extends EventBridgeError {
  constructor(message: string, cause?: unknown) {
    super("InternalException", message, 500, { cause });
    this.name = "InternalError";
  }
}
