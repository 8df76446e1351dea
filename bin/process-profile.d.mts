// Types of process-profile.mjs (plain JavaScript: bin/buzzville.mjs runs it before tsx loads).
export declare const PROFILES: {
  readonly default: readonly string[];
  readonly small: readonly string[];
  readonly node: undefined;
};
export declare function profiledLaunch(
  env?: NodeJS.ProcessEnv,
  execArgv?: readonly string[],
  platform?: NodeJS.Platform,
): { readonly flags: string[]; readonly env: NodeJS.ProcessEnv } | undefined;
export declare function relaunchWithProfile(): void;
