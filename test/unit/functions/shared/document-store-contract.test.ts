import { CachedDocumentStore } from "../../../../functions/shared/cached-documents.ts";
import { InMemoryDocumentStore } from "../../../../functions/shared/documents.ts";
import { describeDocumentStoreContract } from "./document-store-contract.ts";

describeDocumentStoreContract("in memory", async () => new InMemoryDocumentStore());
describeDocumentStoreContract(
  "cached, over in memory",
  async () => new CachedDocumentStore(new InMemoryDocumentStore()),
);
