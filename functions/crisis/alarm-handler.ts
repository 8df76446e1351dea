/** The alarm-state-change event in, one controller reading out. Pure of AWS wiring. */
import { z } from "zod";
import type { CrisisSpec } from "../../infra/topology.ts";
import type { CrisisController, StoredCrisisState } from "./controller.ts";
import { readingOfAlarm } from "./decide.ts";

/** The parts of EventBridge's "CloudWatch Alarm State Change" event the controller reads. */
const AlarmStateChange = z.object({
  "detail-type": z.literal("CloudWatch Alarm State Change"),
  detail: z.object({
    alarmName: z.string().min(1),
    state: z.object({ value: z.enum(["OK", "ALARM", "INSUFFICIENT_DATA"]) }),
  }),
});

export interface AlarmHandlerParts {
  readonly controller: CrisisController;
  readonly spec: CrisisSpec;
}

export function handleAlarmChange(
  parts: () => Promise<AlarmHandlerParts>,
): (event: unknown) => Promise<StoredCrisisState> {
  return async (event) => {
    const parsed = AlarmStateChange.safeParse(event);
    if (!parsed.success) {
      throw new TypeError(
        `crisis controller: expected a "CloudWatch Alarm State Change" event with detail.alarmName and detail.state.value OK|ALARM|INSUFFICIENT_DATA: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      );
    }
    const { controller, spec } = await parts();
    const { alarmName, state } = parsed.data.detail;
    // OK is reported only after spec.calmChecks calm periods: it stands for all of them.
    return controller.observe(readingOfAlarm(alarmName, state.value), spec.calmChecks);
  };
}
