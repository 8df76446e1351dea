/** EventBridge adapter of the crisis controller's RuleSwitch port. Client injected. */
import {
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  type EventBridgeClient,
} from "@aws-sdk/client-eventbridge";
import type { RuleSwitch } from "./controller.ts";

export class EventBridgeRuleSwitch implements RuleSwitch {
  constructor(
    private readonly client: Pick<EventBridgeClient, "send">,
    private readonly busName: string,
  ) {}

  async setEnabled(ruleName: string, enabled: boolean): Promise<void> {
    const input = { Name: ruleName, EventBusName: this.busName };
    await this.client.send(enabled ? new EnableRuleCommand(input) : new DisableRuleCommand(input));
  }

  async isEnabled(ruleName: string): Promise<boolean> {
    const out = await this.client.send(
      new DescribeRuleCommand({ Name: ruleName, EventBusName: this.busName }),
    );
    return out.State !== "DISABLED";
  }
}
