/**
 * The local cloud's one AWS account: every ARN the local cloud makes or expects names it (the
 * all-zero account id local emulators use; docs/LOCAL.md).
 */
export const LOCAL_ACCOUNT = "000000000000";

/** `arn:aws:<service>:<region>:<LOCAL_ACCOUNT>:<resource>`. */
export function localArn(service: string, region: string, resource: string): string {
  return `arn:aws:${service}:${region}:${LOCAL_ACCOUNT}:${resource}`;
}
