import { InMemoryDocumentStore } from "../../../../functions/shared/documents.ts";
import { describeDocumentStoreContract } from "./document-store-contract.ts";

describeDocumentStoreContract("in memory", async () => new InMemoryDocumentStore());
