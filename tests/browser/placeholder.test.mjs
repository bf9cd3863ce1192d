// The landing page: served by scripts/serve-frontend.sh (WEB_URL), it must reach the API
// (API_URL, another origin, so through real CORS) and report "API: ok" in #api-status.
//
//   WEB_URL=http://127.0.0.1:18081 API_URL=http://127.0.0.1:18080 node --test browser/placeholder.test.mjs
//
// Fails (within a few seconds, never hangs) when the API is down.
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { DESKTOP, PHONE, collectErrors, launch, newPage, requireUrlEnv } from "./lib.mjs";

const ARTIFACTS = fileURLToPath(new URL("../artifacts/", import.meta.url));
const STATUS_TIMEOUT_MS = 8_000;

describe("landing page health indicator", { timeout: 180_000 }, () => {
  let browser;
  let webUrl;
  let apiUrl;

  before(async () => {
    webUrl = requireUrlEnv("WEB_URL");
    apiUrl = requireUrlEnv("API_URL");
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
  });

  async function openAndCheck({ width, height }, screenshotName) {
    const page = await newPage(browser, { width, height });
    try {
      const errors = collectErrors(page);
      const healthRequests = [];
      page.on("request", (req) => {
        if (req.url() === `${apiUrl}/healthz`) healthRequests.push(req);
      });

      const response = await page.goto(`${webUrl}/`, { waitUntil: "domcontentloaded" });
      assert.equal(response?.status(), 200, "front end answers 200");

      // The runtime setting reached the page, and the page calls the API on another origin.
      const apiBase = await page.evaluate(() => window.INTERLIBRARY_CONFIG?.apiBase);
      assert.equal(apiBase?.replace(/\/+$/, ""), apiUrl, "config.js points at API_URL");
      assert.notEqual(new URL(webUrl).origin, new URL(apiUrl).origin, "API is cross-origin");

      const status = page.locator("#api-status");
      // Wait for a final state (ok or unreachable), so a down API fails fast, not at a timeout.
      await page.waitForSelector('#api-status:not([data-state="checking"])', {
        timeout: STATUS_TIMEOUT_MS,
      });
      await page.screenshot({ path: `${ARTIFACTS}${screenshotName}`, fullPage: true });
      assert.equal(
        (await status.textContent())?.trim(),
        "API: ok",
        `status shows the API is ok (browser errors: ${errors.join(" | ") || "none"})`,
      );

      assert.ok(healthRequests.length >= 1, `the page requested ${apiUrl}/healthz`);

      // Accessibility basics: the status is announced politely; the page has a language,
      // a title and a single main heading.
      const live = await page.evaluate(() => {
        const el = document.getElementById("api-status");
        return el?.closest('[aria-live="polite"]') !== null;
      });
      assert.ok(live, "#api-status is inside an aria-live=polite region");
      assert.equal(await page.getAttribute("html", "lang"), "en");
      assert.match(await page.title(), /Interlibrary/);
      assert.equal(await page.locator("h1").count(), 1, "one h1");

      // Nothing wider than the viewport (no sideways scrolling on a phone).
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 0, `no horizontal overflow (${overflow}px)`);

      // The landing page's community sections call GET /v1/events and /v1/activity, which
      // other engineers are still building: until then Chromium logs their 404s, which the
      // page handles ("Coming soon"). Any other console error fails.
      const real = errors.filter(
        (e) => !/Failed to load resource: the server responded with a status of 404.*\/v1\/(events|activity)\b/.test(e),
      );
      assert.deepEqual(real, [], "no console errors");
    } finally {
      await page.context().close();
    }
  }

  test("desktop: shows API: ok", { timeout: 20_000 }, async () => {
    await openAndCheck(DESKTOP, "placeholder-desktop.png");
  });

  test("phone (375x812): shows API: ok", { timeout: 20_000 }, async () => {
    await openAndCheck(PHONE, "placeholder-phone.png");
  });
});
