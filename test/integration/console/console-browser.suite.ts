/**
 * The operators' console in headless Chromium (Debian's `chromium`, driven by playwright-core):
 * during the fire scenario the map shows the incident and the pre-empted route, the charts move,
 * and the redrive button (after its confirmation) empties a DLQ the test put a message into.
 * Saves the screenshots docs/console-*.png.
 */
import { existsSync } from "node:fs";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../support/wait.ts";
import type { ConsoleCity } from "./support.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const shot = (name: string) =>
  new URL(`../../../docs/console-${name}.png`, import.meta.url).pathname;

/** The city of the file running these tests (console.test.ts). */
let city: ConsoleCity;
let browser: Browser;
let page: Page;

/** The page's tests, on the city `current()` gives (console.test.ts). */
export function describeConsoleInBrowser(current: () => ConsoleCity): void {
  describe("the operators' console in a browser", () => {
    // The page opens when these tests start: its charts keep the last 2 minutes (app.js HISTORY).
    beforeAll(async () => {
      if (!existsSync(CHROMIUM)) {
        throw new Error(
          `no Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does), or set CHROMIUM_PATH`,
        );
      }
      city = current();
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ["--no-sandbox"],
      });
      page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
      await page.goto(city.url);
    }, 180_000);
    afterAll(async () => {
      await browser?.close();
    }, 120_000);

    it("maps the fire's incident and its pre-empted route", async () => {
      await page.waitForSelector("#status[data-state=live]");
      expect(await page.locator("#map circle.light").count()).toBe(48);
      await page.waitForSelector("#map .marker.incident", { timeout: 150_000 });
      // A straight street segment has an empty box: attached, not "visible" to Playwright.
      await page.waitForSelector("#map line.route", { state: "attached", timeout: 60_000 });
      expect(await page.locator("#map circle.light.preempted").count()).toBeGreaterThanOrEqual(2);
      // The dispatched units on their route (a square per dispatch, moving until on scene).
      await page.waitForSelector("#map .unit", { timeout: 120_000 });
      const incident = await page.locator("#incidents li").first().textContent();
      expect(incident).toMatch(/inc-/);
      await page.locator("#map .marker.incident").first().click();
      await page.waitForFunction(
        '/IncidentOpened/.test(document.querySelector("#detail").textContent)',
      );
      await page.screenshot({ path: shot("city") });
    }, 360_000);

    it("moves the flow charts", async () => {
      await page.click("nav button[data-tab=flow]");
      // The page's own chart data (`state`, a global of its classic script).
      const points = async () =>
        Number(await page.evaluate("state.data['chart-priority']?.[0]?.length ?? 0"));
      const before = await waitFor("points on the priority chart", points);
      await waitFor("more points on the charts", async () => (await points()) > before + 4);
      expect(await page.locator("#chart-priority canvas").count()).toBe(1);
      const rows = await page.locator("#queues tr").count();
      expect(rows).toBeGreaterThan(10);
      expect(await page.locator("#consumers tr").count()).toBeGreaterThan(3);
      await page.screenshot({ path: shot("flow") });
    }, 60_000);

    it("shows the fire alarm's trace as a waterfall: the dispatch and notification branches", async () => {
      // The alarm's event id, as an operator would copy it from a log line or `buzzville tail`.
      const alarm = await waitFor(
        "the fire alarm's trace, down to the notification's SNS publish",
        async () => {
          const list = await (await fetch(new URL("console/traces?limit=500", city.url))).json();
          const found = (
            list as { traces: { traceId: string; detailType?: string; eventId?: string }[] }
          ).traces.find((t) => t.detailType === "FireAlarmRaised");
          if (!found?.eventId) return undefined;
          const view = await (
            await fetch(new URL(`console/traces/${found.traceId}`, city.url))
          ).json();
          const names = (view as { rows: { name: string }[] }).rows.map((r) => r.name);
          return names.some((n) => n.startsWith("SNS Publish")) ? found : undefined;
        },
        { timeoutMs: 170_000, intervalMs: 1000 },
      );
      await page.click("nav button[data-tab=traces]");
      await page.fill("#trace-q", alarm.eventId ?? "");
      await page.click("#trace-search button");
      await page.waitForSelector('#waterfall .span[data-name*="EmergencyFunction"]');
      const waterfall = page.locator("#waterfall .span");
      const names = await waterfall.evaluateAll((rows) =>
        // DOM elements (the test's tsconfig has no DOM types): their data-origin and data-name.
        rows.map((r) => {
          const data = (r as unknown as { dataset: Record<string, string> }).dataset;
          return `${data.origin} ${data.name}`;
        }),
      );
      expect(names[0]).toMatch(/^AWS::Events /);
      expect(names.some((n) => /^AWS::Lambda::Function .*EmergencyFunction/.test(n))).toBe(true);
      expect(names.some((n) => /^AWS::Lambda::Function .*NotificationFunction/.test(n))).toBe(true);
      expect(names.some((n) => / SNS Publish/.test(n))).toBe(true);
      expect(await page.locator("#trace-list tr.shown").count()).toBe(1);
      await page.screenshot({ path: shot("traces") });
    }, 240_000);

    it("redrives a DLQ from the page after confirmation", async () => {
      const queueUrl = await city.deadLetter("NotificationBulkDlq");
      await page.click("nav button[data-tab=dlq]");
      const card = page.locator('.dlq-card[data-dlq="NotificationBulkDlq"]');
      await card.locator("table").waitFor();
      expect(await card.locator("td").allTextContents()).toContain("WeatherAlertCancelled");
      await page.screenshot({ path: shot("dead-letters") });
      const dialogs: string[] = [];
      page.once("dialog", (d) => {
        dialogs.push(d.message());
        void d.accept();
      });
      await card.locator("button.redrive").click();
      await page.waitForFunction(
        '/redrove NotificationBulkDlq: 1 moved/.test(document.querySelector("#dlq-note").textContent)',
      );
      expect(dialogs[0]).toContain("NotificationBulkDlq");
      const attrs = await city.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["All"] }),
      );
      expect(Number(attrs.Attributes?.ApproximateNumberOfMessages)).toBe(0);
      expect(await card.locator("h3").textContent()).toContain("0 message(s)");
    }, 60_000);
  });
}
