/**
 * The read-model port's contract on DynamoDB (dynalite, real SDK v3 clients), a table per test,
 * bare and behind the per-container cache.
 */
import { afterAll, beforeAll, describe } from "vitest";
import { CachedDocumentStore } from "../../../functions/shared/cached-documents.ts";
import { DynamoDbDocumentStore } from "../../../functions/shared/dynamodb-documents.ts";
import { describeDocumentStoreContract } from "../../unit/functions/shared/document-store-contract.ts";
import { type Dynamo, startDynamo } from "./dynalite.ts";

describe("read-model adapters on DynamoDB", () => {
  let dynamo: Dynamo | undefined;
  let tables = 0;
  beforeAll(async () => {
    dynamo = await startDynamo();
  });
  afterAll(async () => {
    await dynamo?.close();
  });
  const table = async () => {
    if (!dynamo) throw new Error("dynalite did not start");
    const name = `documents-${++tables}`;
    await dynamo.createReadModelsTable(name);
    return new DynamoDbDocumentStore(dynamo.documents, name);
  };
  describeDocumentStoreContract("DynamoDB", table);
  describeDocumentStoreContract(
    "cached, over DynamoDB",
    async () => new CachedDocumentStore(await table()),
  );
});
