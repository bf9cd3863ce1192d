// Helpers for the browser tests of the web app: API calls from node (to set up members,
// organizations and notifications), logging in through the UI, axe-core checks and
// screenshots. The launcher itself is lib.mjs.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { requireUrlEnv } from "./lib.mjs";

export const WEB = requireUrlEnv("WEB_URL");
export const API = requireUrlEnv("API_URL");
export const ARTIFACTS = fileURLToPath(new URL("../artifacts/", import.meta.url));
export const PASSWORD = "correct horse battery staple";
const AXE_PATH = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

await mkdir(ARTIFACTS, { recursive: true });

export function uid() {
  return randomBytes(5).toString("hex");
}

/** One API call from node. Returns { status, body, headers }. */
export async function call(method, path, { token, body } = {}) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  } else if (method === "POST" || method === "PATCH" || method === "PUT") {
    headers["Content-Type"] = "application/json";
    payload = "{}";
  }
  const res = await fetch(API + path, { method, headers, body: payload });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, body: json, headers: res.headers };
}

/** POST that waits and retries while the password hashing queue answers 503 busy. */
async function postHashing(path, body) {
  for (let attempt = 0; ; attempt += 1) {
    const r = await call("POST", path, { body });
    if (r.status !== 503 || attempt >= 20) return r;
    await new Promise((res) => setTimeout(res, 200 + attempt * 100));
  }
}

/** Run `fn(i)` for i in 0..n-1, at most `width` at a time. */
export async function inBatches(n, width, fn) {
  const out = [];
  for (let i = 0; i < n; i += width) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(width, n - i) }, (_, k) => fn(i + k)))));
  }
  return out;
}

/** Register a member and log in through the API. Returns { id, email, password, token, name }. */
export async function member({ name, profile } = {}) {
  const tag = uid();
  const email = `m-${tag}@example.test`;
  const display_name = name || `Tester ${tag}`;
  const reg = await postHashing("/v1/members", { email, password: PASSWORD, display_name });
  assert.equal(reg.status, 201, `register: ${JSON.stringify(reg.body)}`);
  const login = await postHashing("/v1/sessions", { email, password: PASSWORD });
  assert.equal(login.status, 201, `login: ${JSON.stringify(login.body)}`);
  const m = { id: reg.body.id, email, password: PASSWORD, token: login.body.token, name: display_name };
  if (profile) {
    const r = await call("PATCH", "/v1/me", { token: m.token, body: profile });
    assert.equal(r.status, 200, `profile: ${JSON.stringify(r.body)}`);
  }
  return m;
}

/** Create an organization as `admin`. */
export async function organization(admin, fields = {}) {
  const tag = uid();
  const r = await call("POST", "/v1/organizations", {
    token: admin.token,
    body: { name: `Library ${tag}`, kind: "public_library", city: "Springfield", ...fields },
  });
  assert.equal(r.status, 201, `org: ${JSON.stringify(r.body)}`);
  return r.body;
}

/**
 * Make a member a site admin (README: never through the API). Needs DATABASE_URL and psql;
 * returns false when they are not available so the caller can skip.
 */
export async function makeSiteAdmin(memberId) {
  if (!process.env.DATABASE_URL) return false;
  try {
    await promisify(execFile)("psql", [process.env.DATABASE_URL, "-qAtc", `UPDATE members SET role = 'admin' WHERE id = ${Number(memberId)}`]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Wait until the view for the current URL has rendered (the router marks #view with the
 * route it shows), nothing is loading, and its h1 contains `heading` when given.
 */
export async function settled(page, heading) {
  await page.waitForFunction(
    (text) => {
      const view = document.getElementById("view");
      const h1 = view?.querySelector("h1");
      const route = decodeURIComponent(location.hash.replace(/^#/, ""));
      return (
        view?.dataset.route !== undefined &&
        decodeURIComponent(view.dataset.route) === route &&
        !document.getElementById("main").hasAttribute("aria-busy") &&
        h1 !== null &&
        (!text || h1.textContent.includes(text))
      );
    },
    heading || "",
  );
}

/** Open a route of the app ("/members") and wait for it to render. */
export async function open(page, route, heading) {
  await page.goto(`${WEB}/#${route}`);
  await settled(page, heading);
}

/** Log in through the login form; resolves when the app shows the member's navigation. */
export async function logIn(page, m, { route = "/login" } = {}) {
  if (route) await open(page, route, "Log in");
  await page.getByLabel("Email").fill(m.email);
  await page.getByLabel("Password").fill(m.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.locator("#logout").waitFor({ state: "attached" });
}

/** The session token the app keeps in localStorage. */
export function tokenOf(page) {
  return page.evaluate(() => localStorage.getItem("il.token"));
}

let axeSource = null;

/**
 * Run axe-core on the page; fail on any serious or critical violation. axe is evaluated
 * through the DevTools protocol, not added as a <script>: the web app's
 * Content-Security-Policy blocks inline scripts, page.addScriptTag's included.
 */
export async function checkA11y(page, label) {
  const hasAxe = await page.evaluate(() => typeof window.axe !== "undefined");
  if (!hasAxe) {
    axeSource ??= await readFile(AXE_PATH, "utf8");
    await page.evaluate(axeSource);
  }
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  });
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad, [], `axe: serious/critical violations on ${label}: ${JSON.stringify(bad, null, 1)}`);
}

/** A full-page screenshot into tests/artifacts/. */
export async function shot(page, name) {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

/** Nothing wider than the viewport. */
export async function assertNoOverflow(page, label = "") {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal overflow ${label} (${overflow}px)`);
}

/**
 * Browser errors that matter: drops Chromium's "Failed to load resource" lines for API
 * answers the test provoked on purpose (statuses in `expected`), and the 404s of the
 * landing page's not-yet-built feeds (/v1/events, /v1/activity).
 */
export function unexpected(errors, expected = []) {
  return errors.filter((e) => {
    const m = /Failed to load resource: the server responded with a status of (\d{3})/.exec(e);
    if (!m) return true;
    const status = Number(m[1]);
    if (status === 404 && /\/v1\/(events|activity)\b/.test(e)) return false;
    return !expected.includes(status);
  });
}
