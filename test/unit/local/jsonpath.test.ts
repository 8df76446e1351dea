import { describe, expect, it } from "vitest";
import {
  evaluateJsonPath,
  parseJsonPath,
  usesBracketNotation,
} from "../../../local/eventbridge/delivery/jsonpath.ts";
import { evaluateSteps, parseSteps } from "../../../local/jsonpath.ts";
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

describe("the shared JSONPath (local/jsonpath.ts) and each service's layer", () => {
  const hostile = JSON.parse('{"a": {"__proto__": {"polluted": 1}}, "list": [1, 2]}');

  it("parses every step kind, with its position", () => {
    expect(parseSteps("$.a['b c'][2].*[*]")).toEqual([
      { key: "a", at: 1 },
      { key: "b c", bracket: true, at: 3 },
      { index: 2, at: 10 },
      { wildcard: true, at: 13 },
      { wildcard: true, at: 15 },
    ]);
    expect(parseSteps("a.b")).toEqual({ failedAt: 0 });
    expect(parseSteps("$.a..b")).toEqual({ failedAt: 3 });
  });

  it("never walks the prototype chain: __proto__, constructor and array properties reach nothing", () => {
    const paths = [
      "$.constructor",
      "$.__proto__",
      "$['__proto__']",
      "$.a.constructor.name",
      "$.list.length",
      "$.toString",
    ];
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) {
      const steps = parseSteps(path);
      expect(Array.isArray(steps), path).toBe(true);
      expect(evaluateSteps(Array.isArray(steps) ? steps : [], hostile), path).toBeUndefined();
      expect(evaluatePath(hostile, path), path).toBeUndefined();
      expect(
        evaluatePath({ body: JSON.stringify(hostile) }, path.replace("$", "$.body")),
        path,
      ).toBeUndefined();
    }
    // An own "__proto__" key (JSON.parse makes one) is data, read as data.
    expect(evaluatePath(hostile, "$.a['__proto__'].polluted")).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("Pipes reads JSON held in strings; EventBridge targets take values as they are", () => {
    const steps = parseJsonPath("$.body.detail.n") ?? [];
    expect(steps).toHaveLength(3);
    expect(evaluatePath(record, "$.body.detail.n")).toBe(3);
    expect(evaluateJsonPath(steps, record)).toBeUndefined();
  });

  it("InputPathsMap's dot-notation rule sees both quote styles of bracket notation", () => {
    expect(usesBracketNotation("$.detail['a']")).toBe(true);
    expect(usesBracketNotation('$.detail["a"]')).toBe(true);
    expect(usesBracketNotation("$.detail.a[0]")).toBe(false);
  });
});
