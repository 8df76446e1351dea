/**
 * A minimal EventBridge pattern matcher for the operators infra/topology.ts uses (exact values,
 * prefix, anything-but, exists), so the catalog's consumer lists can be checked against the
 * topology without the local cloud.
 */
type Json = unknown;

function matchValue(rules: readonly Json[], value: Json, present: boolean): boolean {
  return rules.some((rule) => {
    if (rule !== null && typeof rule === "object") {
      const r = rule as Record<string, Json>;
      if ("exists" in r) return r.exists === present;
      if (!present) return false;
      if ("prefix" in r) return typeof value === "string" && value.startsWith(String(r.prefix));
      if ("anything-but" in r) {
        const list = Array.isArray(r["anything-but"]) ? r["anything-but"] : [r["anything-but"]];
        return !list.includes(value);
      }
      throw new Error(`topology-match: unsupported operator ${JSON.stringify(rule)}`);
    }
    return present && value === rule;
  });
}

export function matches(pattern: Record<string, Json>, event: Record<string, Json>): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    const present = key in event && event[key] !== undefined;
    if (Array.isArray(rule)) return matchValue(rule, event[key], present);
    if (rule !== null && typeof rule === "object") {
      const child = event[key];
      if (child === null || typeof child !== "object") {
        return Object.values(rule as Record<string, Json>).every(
          (r) => Array.isArray(r) && matchValue(r, undefined, false),
        );
      }
      return matches(rule as Record<string, Json>, child as Record<string, Json>);
    }
    throw new Error(`topology-match: unsupported rule at ${key}`);
  });
}
