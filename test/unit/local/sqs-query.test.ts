import { describe, expect, it } from "vitest";
import { jsonToQueryXml, queryErrorCode, queryToJson } from "../../../local/gateway/sqs-query.ts";

describe("SQS query protocol <-> JSON protocol", () => {
  it("turns flattened form parameters into the JSON input", () => {
    const body = new URLSearchParams({
      Action: "SendMessage",
      Version: "2012-11-05",
      QueueUrl: "http://127.0.0.1:4566/000000000000/q",
      MessageBody: "hi",
      DelaySeconds: "5",
      "MessageAttribute.1.Name": "kind",
      "MessageAttribute.1.Value.DataType": "String",
      "MessageAttribute.1.Value.StringValue": "alert",
    }).toString();
    expect(queryToJson(body)).toEqual({
      action: "SendMessage",
      input: {
        QueueUrl: "http://127.0.0.1:4566/000000000000/q",
        MessageBody: "hi",
        DelaySeconds: 5,
        MessageAttributes: { kind: { DataType: "String", StringValue: "alert" } },
      },
    });
  });

  it("turns attribute lists, attribute maps and batch entries into JSON shapes", () => {
    const { input } = queryToJson(
      new URLSearchParams({
        Action: "CreateQueue",
        QueueName: "q.fifo",
        "Attribute.1.Name": "FifoQueue",
        "Attribute.1.Value": "true",
        "Attribute.2.Name": "VisibilityTimeout",
        "Attribute.2.Value": "60",
        "AttributeName.1": "All",
        "DeleteMessageBatchRequestEntry.2.Id": "b",
        "DeleteMessageBatchRequestEntry.2.ReceiptHandle": "rb",
        "DeleteMessageBatchRequestEntry.1.Id": "a",
        "DeleteMessageBatchRequestEntry.1.ReceiptHandle": "ra",
      }).toString(),
    );
    expect(input.Attributes).toEqual({ FifoQueue: "true", VisibilityTimeout: "60" });
    expect(input.AttributeNames).toEqual(["All"]);
    expect(input.Entries).toEqual([
      { Id: "a", ReceiptHandle: "ra" },
      { Id: "b", ReceiptHandle: "rb" },
    ]);
  });

  it("renders JSON results as query XML with flattened lists and maps, escaped", () => {
    const xml = jsonToQueryXml("ReceiveMessage", {
      Messages: [
        {
          MessageId: "m1",
          Body: "<a & b>",
          Attributes: { ApproximateReceiveCount: "2" },
          MessageAttributes: { kind: { DataType: "String", StringValue: "x" } },
        },
      ],
    });
    expect(xml).toContain("<ReceiveMessageResult><Message><MessageId>m1</MessageId>");
    expect(xml).toContain("<Body>&lt;a &amp; b&gt;</Body>");
    expect(xml).toContain(
      "<Attribute><Name>ApproximateReceiveCount</Name><Value>2</Value></Attribute>",
    );
    expect(xml).toContain(
      "<MessageAttribute><Name>kind</Name><Value><DataType>String</DataType><StringValue>x</StringValue></Value></MessageAttribute>",
    );
    expect(jsonToQueryXml("SendMessageBatch", { Successful: [{ Id: "1" }] })).toContain(
      "<SendMessageBatchResultEntry><Id>1</Id></SendMessageBatchResultEntry>",
    );
    expect(jsonToQueryXml("ListQueues", { QueueUrls: ["u1", "u2"] })).toContain(
      "<QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl>",
    );
  });

  it("takes the query error code from x-amzn-query-error, else the JSON type's name", () => {
    expect(queryErrorCode("AWS.SimpleQueueService.NonExistentQueue;Sender", "x")).toBe(
      "AWS.SimpleQueueService.NonExistentQueue",
    );
    expect(queryErrorCode(undefined, "com.amazonaws.sqs#InvalidAddress")).toBe("InvalidAddress");
  });
});
