import { InMemoryEventStorage } from "../../../../functions/event-store/memory-adapter.ts";
import { describeEventStorageContract } from "./storage-contract.ts";

describeEventStorageContract(
  "in-memory (returns the colliding commit, as DynamoDB)",
  async () => new InMemoryEventStorage(),
  {
    returnsCollidingCommit: true,
  },
);
describeEventStorageContract(
  "in-memory (re-reads after a collision, as dynalite)",
  async () => new InMemoryEventStorage(false),
  {
    returnsCollidingCommit: false,
  },
);
