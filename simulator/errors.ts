/** Errors of the simulator: a base class, and bad arguments (flags, options). */

/** Base class of every error thrown by `simulator/`. */
export class SimulatorError extends Error {
  override name = "SimulatorError";
}

/** Thrown when a simulator argument is out of range; the message names the value and the rule. */
export class SimulatorArgumentError extends SimulatorError {
  override name = "SimulatorArgumentError";
}
