// The web app's Content-Security-Policy and framing protection
// (deploy/nginx/security-headers.conf, served by scripts/serve-frontend.sh and by the
// docker-compose web service): the headers are on every answer; a script injected into
// the app does not run and the browser reports the violation (and the same injection does
// run without the policy, so the check is not vacuous); every page of the app and the
// widget demo page work under the policy; and another site cannot frame the app.
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, test } from "node:test";
import { collectErrors, DESKTOP, launch, newPage } from "./lib.mjs";
import { API, WEB, call, logIn, makeSiteAdmin, member, open, organization, uid, unexpected } from "./app.mjs";

const HOUR = 3600_000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** "a b; c d e" -> Map { a => [b], c => [d, e] } */
function parsePolicy(header) {
  const out = new Map();
  for (const part of String(header || "").split(";")) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), values);
  }
  return out;
}

/** Record every CSP violation the page reports, from before its first script. */
async function watchViolations(page) {
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample });
    });
  });
}

const violations = (page) => page.evaluate(() => window.__violations);

// Chromium's console lines for blocked content: a page that works under the policy has none.
const cspErrors = (errors) => errors.filter((e) => /Content Security Policy|Refused to/i.test(e));

describe("Content-Security-Policy and framing protection of the web app", { timeout: 180_000 }, () => {
  let browser;
  let server;
  let host;

  before(async () => {
    browser = await launch();
    // Another site that tries to frame the app.
    server = http.createServer((req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Framer</title></head><body>
<iframe id="f" title="app" src="${WEB}/#/" onload="window.__frameLoaded = true"></iframe>
</body></html>`);
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    host = `http://127.0.0.1:${server.address().port}`;
  });

  after(async () => {
    await browser?.close();
    await new Promise((r) => (server ? server.close(r) : r()));
  });

  test("every answer carries the policy and the framing headers", async () => {
    const paths = ["/", "/index.html", "/app.js", "/config.js", "/style.css", "/lib/dom.js",
      "/embed/index.html", "/embed/demo.js", "/embed/demo.css", "/embed/interlibrary-events.js", "/no-such-file"];
    for (const path of paths) {
      const res = await fetch(`${WEB}${path}`);
      await res.arrayBuffer();
      assert.equal(res.status, path === "/no-such-file" ? 404 : 200, path);
      const csp = parsePolicy(res.headers.get("content-security-policy"));
      assert.deepEqual(csp.get("default-src"), ["'self'"], `${path}: default-src`);
      assert.deepEqual(csp.get("script-src"), ["'self'"], `${path}: script-src`);
      assert.deepEqual(csp.get("style-src"), ["'self'"], `${path}: style-src`);
      assert.deepEqual(csp.get("connect-src"), ["'self'", `${API}/`], `${path}: connect-src is this origin and the API`);
      assert.deepEqual(csp.get("object-src"), ["'none'"], `${path}: object-src`);
      assert.deepEqual(csp.get("base-uri"), ["'self'"], `${path}: base-uri`);
      assert.deepEqual(csp.get("form-action"), ["'self'"], `${path}: form-action`);
      assert.deepEqual(csp.get("frame-ancestors"), ["'none'"], `${path}: frame-ancestors`);
      for (const [name, values] of csp) {
        for (const v of values) {
          assert.ok(!/^'unsafe-|^\*$|^(https?|data|blob):$/.test(v) || (name === "img-src" && v === "data:"),
            `${path}: ${name} allows ${v}`);
        }
      }
      assert.equal(res.headers.get("x-frame-options"), "DENY", path);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(res.headers.get("referrer-policy"), "no-referrer", path);
    }
  });

  test("a script injected into the app does not run, and the browser reports it", async () => {
    const page = await newPage(browser, DESKTOP);
    try {
      await watchViolations(page);
      await open(page, "/", "Bringing");
      await page.evaluate(() => {
        // Three ways injected markup or code would run without the policy.
        const s = document.createElement("script");
        s.textContent = "window.__pwned = 'script element'";
        document.body.append(s);
        const d = document.createElement("div");
        d.innerHTML = `<img alt="" src="/no-such-image.png" onerror="window.__pwned = 'event handler'">`;
        document.body.append(d);
        const a = document.createElement("a");
        a.href = "javascript:window.__pwned = 'javascript URL'";
        a.textContent = "x";
        document.body.append(a);
        a.click();
      });
      await page.waitForFunction(() => window.__violations.filter((v) => v.directive.startsWith("script-src")).length >= 3);
      assert.equal(await page.evaluate(() => window.__pwned), undefined);
      const directives = (await violations(page)).map((v) => v.directive);
      assert.ok(directives.includes("script-src-elem"), directives.join());
      assert.ok(directives.includes("script-src-attr"), directives.join());
    } finally {
      await page.context().close();
    }
  });

  test("an inline script in the page itself does not run; without the policy it would", async () => {
    // The server's real answer for the page, with an inline script added to its HTML:
    // what a stored-XSS bug in the page would look like. With the server's own headers the
    // script is blocked; with the policy taken out, the same HTML runs it.
    const inject = (keepPolicy) => async (route) => {
      const res = await route.fetch();
      const body = (await res.text()).replace("</head>", "<script>window.__pwned = 'inline'</script></head>");
      const headers = { ...res.headers() };
      if (!keepPolicy) delete headers["content-security-policy"];
      await route.fulfill({ response: res, body, headers });
    };
    for (const keepPolicy of [true, false]) {
      const page = await newPage(browser, DESKTOP);
      const errors = collectErrors(page);
      try {
        await watchViolations(page);
        await page.route(`${WEB}/`, inject(keepPolicy));
        await open(page, "/", "Bringing");
        if (keepPolicy) {
          await page.waitForFunction(() => window.__violations.some((v) => v.directive === "script-src-elem" && v.blocked === "inline"));
          assert.equal(await page.evaluate(() => window.__pwned), undefined, "the inline script ran under the policy");
          assert.match(cspErrors(errors).join("\n"), /inline script violates the following Content Security Policy/);
        } else {
          assert.equal(await page.evaluate(() => window.__pwned), "inline", "control: the injection runs without the policy");
          assert.deepEqual(await violations(page), []);
        }
      } finally {
        await page.context().close();
      }
    }
  });

  test("every page of the app works under the policy", async () => {
    const tag = uid();
    const [admin, other] = await Promise.all([member({ name: `CSP admin ${tag}` }), member({ name: `CSP other ${tag}` })]);
    const isAdmin = await makeSiteAdmin(admin.id);
    const org = await organization(admin, { name: `CSP Library ${tag}` });
    const ev = await call("POST", "/v1/events", {
      token: admin.token,
      body: { title: `Budget hearing ${tag}`, kind: "advocacy", timezone: "UTC", city: "Springfield",
        organization: org.slug, starts_at: iso(Date.now() - HOUR), ends_at: iso(Date.now() + 3 * HOUR),
        target: "City council", talking_points: "Libraries matter." },
    });
    assert.equal(ev.status, 201, JSON.stringify(ev.body));
    const collab = await call("POST", "/v1/collaborations", {
      token: admin.token, body: { title: `Shared scanner ${tag}`, summary: "One scanner, three branches." },
    });
    assert.equal(collab.status, 201, JSON.stringify(collab.body));
    const e = ev.body.id;
    const c = collab.body.id;
    const anonymous = ["/", "/events", "/events?view=month", `/events/${e}`, "/organizations", `/organizations/${org.slug}`,
      "/collaborations", `/collaborations/${c}`, "/activity", "/login", "/register", "/reset-password",
      // Links cut short: the pages say so without calling the API.
      "/verify-email/x", "/reset-password/x"];
    const signedIn = ["/me", "/me/events", "/me/events?when=past", "/me/privacy", "/me/email", "/me/security", "/me/data", "/members", `/members/${other.id}`,
      "/organizations/new", `/organizations/${org.slug}/edit`, "/notifications", "/events/new", `/events/${e}`,
      `/events/${e}/edit`, `/events/${e}/invite`, "/invitations", "/mentors", "/mentorships", "/mentorships/new",
      "/collaborations/new", `/collaborations/${c}/edit`, ...(isAdmin ? ["/admin/reports"] : [])];

    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await watchViolations(page);
      const visit = async (route) => {
        await open(page, route);
        await page.waitForFunction(() => !document.querySelector("[aria-busy]"));
        assert.deepEqual(await violations(page), [], `CSP violations on ${route}`);
        assert.deepEqual(cspErrors(errors), [], `CSP errors on ${route}`);
      };
      for (const route of anonymous) await visit(route);
      await logIn(page, admin);
      for (const route of signedIn) await visit(route);
      // The advocacy event draws its turnout chart (inline SVG) under the policy.
      await open(page, `/events/${e}`);
      await page.getByRole("img", { name: "Turnout: pledged versus attended" }).waitFor();
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await page.context().close();
    }
  });

  test("the widget demo page works under the policy, the widget's styles included", async () => {
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await watchViolations(page);
      // The widget's shadow root is closed; open it to read what it drew.
      await page.addInitScript(() => {
        const orig = Element.prototype.attachShadow;
        Element.prototype.attachShadow = function (init) { return orig.call(this, { ...init, mode: "open" }); };
      });
      const res = await page.goto(`${WEB}/embed/index.html`);
      assert.ok(res.headers()["content-security-policy"], "the demo page is served under the policy");
      await page.waitForFunction(() => [...document.querySelectorAll("interlibrary-events")]
        .every((el) => el.shadowRoot?.querySelector(".w")));
      const got = await page.evaluate(() => {
        const bg = (id) => getComputedStyle(document.getElementById(id).shadowRoot.querySelector(".w")).backgroundColor;
        return {
          light: bg("light"),
          dark: bg("dark"),
          api: [...document.querySelectorAll("interlibrary-events")].map((el) => el.getAttribute("api")),
          snippet: document.querySelector("#snippet code").textContent,
          bodyWidth: getComputedStyle(document.body).maxWidth,
        };
      });
      // The widget's own styles applied (light and dark themes), the demo's script ran
      // (widgets and snippet point at this deployment) and its stylesheet applied.
      assert.equal(got.light, "rgb(255, 255, 255)");
      assert.equal(got.dark, "rgb(22, 27, 36)");
      assert.deepEqual(got.api, [API, API]);
      assert.ok(got.snippet.includes(`${WEB}/embed/interlibrary-events.js`), got.snippet);
      assert.ok(got.snippet.includes(`api="${API}"`), got.snippet);
      assert.equal(got.bodyWidth, "736px");
      assert.deepEqual(await violations(page), []);
      // The demo page has no icon: the browser's own /favicon.ico request is not the page's.
      assert.deepEqual(unexpected(errors).filter((e) => !e.includes("/favicon.ico")), []);
    } finally {
      await page.context().close();
    }
  });

  test("another site cannot frame the app; without the headers it could", async () => {
    for (const keepHeaders of [true, false]) {
      const page = await newPage(browser, DESKTOP);
      try {
        if (!keepHeaders) {
          await page.route(`${WEB}/`, async (route) => {
            const res = await route.fetch();
            const headers = { ...res.headers() };
            delete headers["content-security-policy"];
            delete headers["x-frame-options"];
            await route.fulfill({ response: res, headers });
          });
        }
        await page.goto(`${host}/`);
        await page.waitForFunction(() => window.__frameLoaded === true);
        const frame = page.frames().find((f) => f.parentFrame() === page.mainFrame());
        assert.ok(frame, "the iframe exists");
        if (keepHeaders) {
          assert.ok(!frame.url().startsWith(WEB), `the app loaded in a frame: ${frame.url()}`);
          assert.equal(await frame.locator("#view").count(), 0);
        } else {
          // Control: the same page, headers taken out, shows the app in the frame.
          await frame.locator("#view[data-route]").waitFor({ state: "attached" });
          assert.ok(frame.url().startsWith(WEB), frame.url());
        }
      } finally {
        await page.context().close();
      }
    }
  });
});
