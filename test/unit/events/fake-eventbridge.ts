/** Short names for the in-memory PutEvents adapter used to inject faults in these tests. */
export {
  awsServiceError as awsError,
  failEntriesAt as failAt,
  InMemoryPutEvents as FakeEventBridge,
} from "../../../events/in-memory-putevents.ts";
