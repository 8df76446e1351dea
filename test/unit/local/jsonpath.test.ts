import { describe, expect, it } from "vitest";
import {
  evaluatePath,
  JsonPathError,
  parsePath,
  renderTemplate,
} from "../../../local/pipes/jsonpath.ts";

const record = {
  messageId: "m-1",
  body: JSON.stringify({ detail: { meta: { intersectionId: "i-12", tags: ["a", "b"] }, n: 3 } }),
};

describe("Pipes JSONPath subset", () => {
  it("reaches into a JSON body held as a string, as Pipes does for SQS records", () => {
    expect(evaluatePath(record, "$.body.detail.meta.intersectionId")).toBe("i-12");
    expect(evaluatePath(record, "$.body.detail.meta.tags[1]")).toBe("b");
    expect(evaluatePath(record, "$['messageId']")).toBe("m-1");
    expect(evaluatePath(record, "$.body.detail.n")).toBe(3);
  });

  it("yields undefined for a missing step instead of throwing", () => {
    expect(evaluatePath(record, "$.body.detail.meta.streamId")).toBeUndefined();
    expect(evaluatePath(record, "$.messageId.deeper")).toBeUndefined();
  });

  it("rejects paths outside the subset, naming the path and the position", () => {
    expect(() => parsePath("detail.meta")).toThrow(JsonPathError);
    expect(() => parsePath("$.a[*]")).toThrow(
      /JSONPath "\$\.a\[\*\]" is not supported at position 3/,
    );
  });

  it("renders input templates: a lone placeholder yields the value itself", () => {
    expect(JSON.parse(renderTemplate("<$.body>", record))).toEqual(JSON.parse(record.body));
    expect(renderTemplate('{"id": "<$.messageId>"}', record)).toBe('{"id": "m-1"}');
    expect(renderTemplate("<$.body.detail.meta.tags>", record)).toBe('["a","b"]');
  });
});
