// Browser helpers for the Interlibrary tests: Debian's Chromium driven by playwright-core.
//
// Never downloads a browser: it always runs /usr/bin/chromium (apt package "chromium"),
// or the path in CHROMIUM_PATH. Each launch gets a fresh, throw-away profile: Playwright's
// launch() creates a new temporary user-data-dir and deletes it when the browser closes.
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-quic",
  "--no-first-run",
  "--disable-sync",
];

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 812 };

/** Launch headless Chromium. Close it with `await browser.close()`. */
export async function launch({ timeout = 30_000 } = {}) {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout,
  });
}

/**
 * Open a page in a new, isolated browser context (no shared cookies or storage) with the
 * given viewport. Close it with `await page.context().close()`.
 */
export async function newPage(browser, { width = DESKTOP.width, height = DESKTOP.height } = {}) {
  const isPhone = width < 600;
  const context = await browser.newContext({
    viewport: { width, height },
    deviceScaleFactor: isPhone ? 2 : 1,
    isMobile: isPhone,
    hasTouch: isPhone,
    locale: "en-US",
    timezoneId: "UTC",
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(10_000);
  return context.newPage();
}

/**
 * Record console errors and uncaught page errors from now on. Returns the live array of
 * messages (strings with their source location).
 */
export function collectErrors(page) {
  const errors = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") {
      const loc = msg.location();
      errors.push(`console.error: ${msg.text()}${loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : ""}`);
    }
  });
  page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
  return errors;
}

/** Read a required URL from the environment, without a trailing slash. */
export function requireUrlEnv(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`set ${name} (e.g. ${name}=http://127.0.0.1:18081) to run the browser tests`);
  }
  return new URL(value).href.replace(/\/+$/, "");
}
