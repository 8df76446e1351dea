/**
 * CDK app entry (`cdk.json`: `npx tsx infra/app.ts`). Configuration comes from CDK context; see
 * infra/config.ts and docs/DEPLOY.md.
 */
import { createCityApp } from "./city-app.ts";

createCityApp().app.synth();
