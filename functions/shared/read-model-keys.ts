/**
 * Key layout of the read-models table (coordinated with infra/): partition key `pk` (S), sort
 * key `sk` (S). Each read model owns a `pk` prefix: "intersection#", "units#", "citizens#",
 * "zone-stats#", "density#", "breaker#", "media#", "incident#", "aggregate#".
 */
export const READ_MODEL_KEYS = { partitionKey: "pk", sortKey: "sk" } as const;
