// The embeddable events widget, used the way a library's own website uses it: a host
// page on a third origin (a tiny node server started here) with hostile CSS loads
// /embed/interlibrary-events.js from the front end's origin (WEB_URL), and the widget
// calls the API on its own origin (API_URL, CORS). Events appear, a cancelled one is
// marked, host styles do not leak in, an API that is down leaves the fallback link,
// and the script stays under 10 KB gzipped. Each widget makes one request per page
// load; a bad organization slug is shown to the webmaster (data-error, a console
// warning) while readers keep the fallback link; and the README's snippet, pasted as it
// stands, shows the demo data's events (a second API, on the demo database make test
// loads).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import http from "node:http";
import { after, before, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { collectErrors, DESKTOP, launch, newPage } from "./lib.mjs";
import { API, WEB, call, member, organization, uid } from "./app.mjs";

const SCRIPT = new URL("../../frontend/embed/interlibrary-events.js", import.meta.url);
const README = new URL("../../README.md", import.meta.url);
const at = (hours) => new Date(Date.now() + hours * 3600_000).toISOString().replace(/\.\d+Z$/, "Z");

// The README's ready-made widget snippet (the indented block after "Paste this").
async function readmeSnippet() {
  const text = await readFile(README, "utf8");
  const m = /Paste this where they should\nappear[^\n]*\n[^\n]*\n\n((?: {4}[^\n]*\n)+)/.exec(text);
  assert.ok(m, "README: the widget snippet");
  return m[1].replace(/^ {4}/gm, "");
}

function freePort() {
  return new Promise((resolve) => {
    const s = http.createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

// Host pages by path: /hostile?api=...&org=...&theme=..., /plain?api=...,
// /readme?api=... (the README's snippet, its example addresses replaced).
function hostPage(url, snippet) {
  const q = url.searchParams;
  if (url.pathname === "/readme") {
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Library site</title></head><body>
<h1>Our library</h1>
${snippet.replaceAll("https://app.example.org", WEB).replaceAll("https://api.example.org", q.get("api"))}
</body></html>`;
  }
  const hostile = url.pathname === "/hostile";
  const css = hostile ? `
    body * { display: none !important; color: red !important; background: yellow !important;
      font-family: "Comic Sans MS", cursive !important; text-decoration: none !important; }
    h2, h3, ol, li, a, time, p, span, section { display: none !important; visibility: hidden !important; }
    :root { --bg: red; }` : "";
  const attrs = [`api="${q.get("api")}"`, `limit="5"`, `theme="${q.get("theme") || "light"}"`];
  if (q.get("org")) attrs.push(`organization="${q.get("org")}"`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Branch site</title>
<style>${css}</style></head><body>
<h1 id="own">The branch's own page</h1>
<interlibrary-events ${attrs.join(" ")}>
  <a id="fallback" href="${WEB}/#/organizations/${q.get("org") || ""}">Upcoming events at our library</a>
</interlibrary-events>
<script src="${WEB}/embed/interlibrary-events.js" defer></script>
</body></html>`;
}

describe("embeddable events widget", { timeout: 90_000 }, () => {
  let browser;
  let server;
  let host;
  let org;
  let live;
  let cancelled;

  before(async () => {
    browser = await launch();
    const snippet = await readmeSnippet();
    server = http.createServer((req, res) => {
      const url = new URL(req.url, "http://127.0.0.1");
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(hostPage(url, snippet));
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    host = `http://127.0.0.1:${server.address().port}`;

    const admin = await member({ name: `Widget Admin ${uid()}` });
    org = await organization(admin, { name: `Widget Library ${uid()}` });
    const mk = async (title, hours) => {
      const r = await call("POST", "/v1/events", { token: admin.token, body: {
        title, kind: "meetup", starts_at: at(hours), ends_at: at(hours + 2), timezone: "America/Chicago",
        venue: "Main Branch", city: "Springfield", organization: org.slug } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body;
    };
    live = await mk(`Zine swap <b>${uid()}</b>`, 24);
    cancelled = await mk(`Story time ${uid()}`, 48);
    const c = await call("POST", `/v1/events/${cancelled.id}/cancel`, { token: admin.token, body: { reason: "Flood" } });
    assert.equal(c.status, 200, JSON.stringify(c.body));
  });

  after(async () => {
    await browser?.close();
    await new Promise((r) => server ? server.close(r) : r());
  });

  // What the widget shows, read through its closed shadow root by the accessibility
  // tree and computed styles (page.locator pierces open roots only).
  async function view(page) {
    const el = page.locator("interlibrary-events");
    await el.waitFor({ state: "attached" });
    return el;
  }

  // The widget's root is closed; the tests open it (same code, same style scoping)
  // so they can read what it drew.
  async function openShadowRoots(page) {
    await page.addInitScript(() => {
      const orig = Element.prototype.attachShadow;
      Element.prototype.attachShadow = function (init) { return orig.call(this, { ...init, mode: "open" }); };
    });
  }

  test("events appear on a third-party page with hostile CSS, cancelled ones marked", async () => {
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await openShadowRoots(page);
      await page.goto(`${host}/hostile?api=${encodeURIComponent(API)}&org=${org.slug}`);
      await page.waitForFunction(() => document.querySelector("interlibrary-events")?.shadowRoot?.querySelector("ol"));
      // The host's own content is hidden by its own CSS; the widget is not.
      assert.equal(await page.locator("#own").isVisible(), false);
      const el = page.locator("interlibrary-events");
      assert.equal(await el.isVisible(), true);
      const got = await page.evaluate(() => {
        const e = document.querySelector("interlibrary-events");
        const root = e.shadowRoot;
        const cs = (n) => getComputedStyle(n);
        const items = [...root.querySelectorAll("ol > li")];
        const h3 = root.querySelector("h3");
        const r = e.getBoundingClientRect();
        return {
          host: { display: cs(e).display, visibility: cs(e).visibility, height: r.height },
          box: { bg: cs(root.querySelector(".w")).backgroundColor, font: cs(root.querySelector(".w")).fontFamily },
          h2: root.querySelector("h2").textContent,
          h3: { display: cs(h3).display, visibility: cs(h3).visibility, color: cs(h3).color, font: cs(h3).fontFamily },
          li: items.map((li) => ({ text: li.textContent, display: cs(li).display,
            cancelled: li.classList.contains("x"), deco: cs(li.querySelector("h3 a")).textDecorationLine })),
        };
      });
      assert.equal(got.host.display, "block");
      assert.equal(got.host.visibility, "visible");
      assert.ok(got.host.height > 60, JSON.stringify(got.host));
      assert.match(got.h2, /^Upcoming events at Widget Library/);
      // Host styles do not leak in: not hidden, not red, no Comic Sans, no yellow.
      assert.equal(got.h3.display, "block");
      assert.equal(got.h3.visibility, "visible");
      assert.notEqual(got.h3.color, "rgb(255, 0, 0)");
      assert.doesNotMatch(got.h3.font, /Comic/);
      assert.doesNotMatch(got.box.font, /Comic/);
      assert.equal(got.box.bg, "rgb(255, 255, 255)");
      for (const li of got.li) assert.equal(li.display, "block");
      const l = got.li.find((i) => i.text.includes(live.title));
      const c = got.li.find((i) => i.text.includes(cancelled.title));
      assert.ok(l && c, JSON.stringify(got.li));
      assert.equal(l.cancelled, false);
      assert.equal(c.cancelled, true);
      assert.match(c.text, /^Cancelled/);
      assert.equal(c.deco, "line-through");
      // Read the way a screen reader would.
      const tree = await el.ariaSnapshot();
      assert.match(tree, /heading "Upcoming events at Widget Library/);
      assert.match(tree, /listitem/);
      assert.match(tree, /Cancelled/);
      // The widget does not restyle the host page.
      const h1Color = await page.evaluate(() => getComputedStyle(document.querySelector("#own")).color);
      assert.equal(h1Color, "rgb(255, 0, 0)");
      assert.deepEqual(errors, []);
    } finally {
      await page.context().close();
    }
  });

  test("accessible markup: list, headings, <time datetime>, cancelled marked; light and dark", async () => {
    const page = await newPage(browser, DESKTOP);
    try {
      await openShadowRoots(page);
      await page.goto(`${host}/plain?api=${encodeURIComponent(API)}&org=${org.slug}&theme=dark`);
      await page.waitForFunction(() => document.querySelector("interlibrary-events")?.shadowRoot?.querySelector("ol"));
      const info = await page.evaluate(() => {
        const root = document.querySelector("interlibrary-events").shadowRoot;
        const items = [...root.querySelectorAll("ol > li")];
        const box = root.querySelector(".w");
        return {
          h2: root.querySelector("h2")?.textContent,
          items: items.map((li) => ({
            title: li.querySelector("h3")?.textContent,
            datetime: li.querySelector("time")?.getAttribute("datetime"),
            cancelled: li.classList.contains("x"),
            badge: li.querySelector(".tag")?.textContent || null,
            href: li.querySelector("h3 a")?.getAttribute("href"),
          })),
          bg: getComputedStyle(box).backgroundColor,
          theme: document.querySelector("interlibrary-events").getAttribute("data-theme"),
        };
      });
      assert.match(info.h2, /Upcoming events at Widget Library/);
      const mine = info.items.filter((i) => [live.title, cancelled.title].some((t) => i.title.includes(t)));
      assert.equal(mine.length, 2, JSON.stringify(info.items));
      const l = info.items.find((i) => i.title.includes(live.title));
      const c = info.items.find((i) => i.title.includes(cancelled.title));
      assert.equal(l.datetime, live.starts_at);
      assert.equal(l.cancelled, false);
      assert.equal(l.title, live.title, "API text is shown as text, never as markup");
      assert.match(l.href, new RegExp(`#/events/${live.id}$`));
      assert.equal(c.cancelled, true);
      assert.equal(c.badge, "Cancelled");
      assert.equal(info.theme, "dark");
      assert.equal(info.bg, "rgb(22, 27, 36)");

      await page.evaluate(() => document.querySelector("interlibrary-events").setAttribute("theme", "light"));
      const bg = await page.evaluate(() => getComputedStyle(
          document.querySelector("interlibrary-events").shadowRoot.querySelector(".w")).backgroundColor);
      assert.equal(bg, "rgb(255, 255, 255)");
    } finally {
      await page.context().close();
    }
  });

  test("an API that is down leaves the fallback link and says why in data-error", async () => {
    const closed = await freePort();
    const page = await newPage(browser, DESKTOP);
    try {
      await page.goto(`${host}/plain?api=${encodeURIComponent(`http://127.0.0.1:${closed}`)}&org=${org.slug}`);
      const why = await (await page.waitForFunction(
          () => document.querySelector("interlibrary-events")?.getAttribute("data-error"))).jsonValue();
      assert.match(why, /cannot be reached/);
      const link = page.getByRole("link", { name: "Upcoming events at our library" });
      assert.equal(await link.isVisible(), true);
      assert.equal(await link.getAttribute("href"), `${WEB}/#/organizations/${org.slug}`);
      const tree = await page.locator("interlibrary-events").ariaSnapshot();
      assert.doesNotMatch(tree, /list/);
    } finally {
      await page.context().close();
    }
  });

  test("a slug that names no organization: data-error and a console warning; readers see the link", async () => {
    const page = await newPage(browser, DESKTOP);
    const warnings = [];
    page.on("console", (msg) => { if (msg.type() === "warning") warnings.push(msg.text()); });
    try {
      const slug = `no-such-library-${uid()}`;
      await page.goto(`${host}/plain?api=${encodeURIComponent(API)}&org=${slug}`);
      const why = await (await page.waitForFunction(
          () => document.querySelector("interlibrary-events")?.getAttribute("data-error"))).jsonValue();
      assert.match(why, new RegExp(`no organization "${slug}"`));
      assert.ok(warnings.some((w) => w.includes("<interlibrary-events>") && w.includes(slug)),
          JSON.stringify(warnings));
      const link = page.getByRole("link", { name: "Upcoming events at our library" });
      assert.equal(await link.isVisible(), true);
      assert.doesNotMatch(await page.locator("interlibrary-events").ariaSnapshot(), /list/);
    } finally {
      await page.context().close();
    }
  });

  test("one request per widget per page load (host page, and the demo page's two widgets)", async () => {
    const page = await newPage(browser, DESKTOP);
    try {
      const seen = [];
      page.on("request", (r) => { if (r.url().startsWith(`${API}/v1/events`)) seen.push(r.url()); });
      await openShadowRoots(page);
      await page.goto(`${host}/plain?api=${encodeURIComponent(API)}&org=${org.slug}`);
      await page.waitForFunction(() => document.querySelector("interlibrary-events")?.shadowRoot?.querySelector("ol"));
      assert.equal(seen.length, 1, seen.join("\n"));
      assert.equal(await page.locator("interlibrary-events").getAttribute("data-error"), null);

      seen.length = 0;
      await page.goto(`${WEB}/embed/index.html`);
      await page.waitForFunction(() => [...document.querySelectorAll("interlibrary-events")]
          .every((e) => e.shadowRoot?.querySelector("ol, .m")));
      assert.equal(seen.length, 2, seen.join("\n"));

      // A later change of an attribute loads once more; a theme change does not.
      seen.length = 0;
      await page.evaluate(() => {
        const e = document.querySelector("#light");
        e.setAttribute("limit", "3");
        e.setAttribute("heading", "Soon");
        e.setAttribute("theme", "dark");
      });
      await page.waitForFunction(() => document.querySelector("#light").shadowRoot.querySelector("h2")?.textContent === "Soon");
      assert.equal(seen.length, 1, seen.join("\n"));
    } finally {
      await page.context().close();
    }
  });

  test("the README's snippet, pasted as it stands, shows the demo data's events", async () => {
    // A second API on the demo database that make test loads (interlibrary_demo).
    assert.ok(process.env.DATABASE_URL, "DATABASE_URL");
    const demoDb = process.env.DATABASE_URL.replace(/dbname=\S+/, "dbname=interlibrary_demo");
    const port = await freePort();
    const dir = mkdtempSync("/tmp/interlibrary-widget-demo-");
    const demoApi = `http://127.0.0.1:${port}`;
    const child = spawn("bash", ["scripts/api.sh", dir], {
      cwd: new URL("../../", import.meta.url),
      env: { ...process.env, DATABASE_URL: demoDb, API_PORT: String(port), API_WORKERS: "2",
        DB_POOL_PER_WORKER: "2", PUBLIC_API_URL: demoApi },
      stdio: "ignore",
      detached: true,
    });
    const page = await newPage(browser, DESKTOP);
    try {
      // Ready once /healthz answers (bounded: the test's own timeout).
      for (;;) {
        const ok = await fetch(`${demoApi}/healthz`).then((r) => r.ok, () => false);
        if (ok) break;
        assert.equal(child.exitCode, null, "the demo API stopped");
        await new Promise((r) => setTimeout(r, 100));
      }
      await openShadowRoots(page);
      await page.goto(`${host}/readme?api=${encodeURIComponent(demoApi)}`);
      await page.waitForFunction(() => document.querySelector("interlibrary-events")?.shadowRoot?.querySelector("ol"));
      const got = await page.evaluate(() => {
        const root = document.querySelector("interlibrary-events").shadowRoot;
        return { h2: root.querySelector("h2").textContent, items: root.querySelectorAll("ol > li").length,
          more: root.querySelector("a.more")?.getAttribute("href") };
      });
      assert.equal(got.h2, "Upcoming events at Springfield Central Library");
      assert.ok(got.items >= 1, JSON.stringify(got));
      assert.equal(got.more, `${WEB}/#/organizations/springfield-central`);
      assert.equal(await page.locator("interlibrary-events").getAttribute("data-error"), null);
    } finally {
      await page.context().close();
      try { process.kill(-child.pid, "SIGTERM"); } catch { /* already gone */ }
      await new Promise((r) => child.exitCode !== null ? r() : child.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the script is at most 10 KB gzipped and served by the front end", async () => {
    const src = await readFile(SCRIPT);
    const gz = gzipSync(src, { level: 9 }).length;
    assert.ok(gz <= 10 * 1024, `interlibrary-events.js is ${gz} bytes gzipped`);
    const res = await fetch(`${WEB}/embed/interlibrary-events.js`);
    assert.equal(res.status, 200);
    assert.equal(Buffer.compare(Buffer.from(await res.arrayBuffer()), src), 0);
    const demo = await fetch(`${WEB}/embed/index.html`);
    assert.equal(demo.status, 200);
  });
});
