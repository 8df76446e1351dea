import type { IpAddress, IpRange } from "./ip.ts";
import type { Wildcard } from "./wildcard.ts";

/** A JSON leaf value of an event (objects and arrays are never leaves). */
export type LeafValue = string | number | boolean | null;

export interface NumericBound {
  readonly value: number;
  readonly inclusive: boolean;
}

export type Matcher =
  | { readonly kind: "exact"; readonly value: LeafValue; readonly ip?: IpAddress }
  | { readonly kind: "prefix"; readonly value: string; readonly ignoreCase: boolean }
  | { readonly kind: "suffix"; readonly value: string; readonly ignoreCase: boolean }
  | { readonly kind: "equalsIgnoreCase"; readonly value: string }
  | { readonly kind: "wildcard"; readonly glob: Wildcard }
  | { readonly kind: "anythingBut"; readonly values: ReadonlyArray<string | number> }
  | { readonly kind: "anythingButIgnoreCase"; readonly values: readonly string[] }
  | { readonly kind: "anythingButPrefix"; readonly values: readonly string[] }
  | { readonly kind: "anythingButSuffix"; readonly values: readonly string[] }
  | { readonly kind: "anythingButWildcard"; readonly globs: readonly Wildcard[] }
  | {
      readonly kind: "numeric";
      readonly lower?: NumericBound;
      readonly upper?: NumericBound;
    }
  | { readonly kind: "exists"; readonly value: boolean }
  | { readonly kind: "cidr"; readonly range: IpRange };

/** One AND-branch of a pattern: dotted field path → OR-list of matchers. */
export type PatternBranch = ReadonlyMap<string, readonly Matcher[]>;

/** A compiled pattern: the event matches when any branch matches ($or forks branches). */
export interface CompiledPattern {
  readonly source: unknown;
  readonly branches: readonly PatternBranch[];
}
