/**
 * Every assertion on a synthesized template, run from one file so aws-cdk-lib is loaded once
 * (each test file gets its own module graph, and the first synthesis in a graph spends seconds
 * loading it) and the default stack is synthesized once (shared-stack.ts): the default stack's
 * resources, operations, agreement with the topology and cdk-nag findings; a production
 * configuration given through context; an agency's stack; and the one real esbuild bundle.
 */
import { describeAgencySubscription } from "./agency-subscription.suite.ts";
import { describeBundling } from "./bundling.suite.ts";
import { describeCityApi } from "./city-api.suite.ts";
import { describeCrisisAndCapacityAlarms } from "./crisis-alarms.suite.ts";
import { describeFunctions } from "./functions.suite.ts";
import { describeNag } from "./nag.suite.ts";
import { describeOps } from "./ops.suite.ts";
import { describeProdConfig } from "./prod-config.suite.ts";
import { describeStackResources } from "./stack.suite.ts";
import { describeTopologyAgreement } from "./topology-agreement.suite.ts";

describeStackResources();
describeFunctions();
describeCityApi();
describeOps();
describeCrisisAndCapacityAlarms();
describeTopologyAgreement();
describeNag();
describeProdConfig();
describeAgencySubscription();
describeBundling();
