// Entry of a local Lambda execution environment (a worker thread): teach this thread TypeScript
// (tsx), then load the worker, which imports the function's handler module as deployed.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
