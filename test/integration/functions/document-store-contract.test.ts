/** The read-model port's contract on DynamoDB (dynalite, real SDK v3 clients), a table per test. */
import { afterAll, beforeAll, describe } from "vitest";
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
  describeDocumentStoreContract("DynamoDB", async () => {
    if (!dynamo) throw new Error("dynalite did not start");
    const name = `documents-${++tables}`;
    await dynamo.createReadModelsTable(name);
    return new DynamoDbDocumentStore(dynamo.documents, name);
  });
});
