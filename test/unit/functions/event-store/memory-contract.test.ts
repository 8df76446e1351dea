import { InMemoryEventStorage } from "../../../../functions/event-store/memory-adapter.ts";
import { describeEventStorageContract } from "./storage-contract.ts";

describeEventStorageContract("in-memory", async () => new InMemoryEventStorage());
