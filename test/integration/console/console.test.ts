/**
 * The operators' console on one whole local city playing the fire scenario (support.ts): its
 * server over real HTTP and WebSocket clients (console-api.suite.ts), then its page in headless
 * Chromium (console-browser.suite.ts). One city for both: each boot plays the fire for 20 s with
 * every trace kept, the most CPU of any console test, and neither suite changes what the other
 * reads (each dead-letters its own message before it redrives it).
 */
import { afterAll, beforeAll } from "vitest";
import { describeConsoleServer } from "./console-api.suite.ts";
import { describeConsoleInBrowser } from "./console-browser.suite.ts";
import { type ConsoleCity, startConsoleCity } from "./support.ts";

let city: ConsoleCity | undefined;
const current = (): ConsoleCity => {
  if (!city) throw new Error("the console city did not start");
  return city;
};

beforeAll(async () => {
  city = await startConsoleCity();
}, 180_000);
afterAll(async () => {
  await city?.stop();
}, 120_000);

// The server's feed tests first: they need the fire still playing (events flowing).
describeConsoleServer(current);
describeConsoleInBrowser(current);
