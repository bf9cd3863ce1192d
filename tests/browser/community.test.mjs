// The landing page for anonymous visitors (upcoming public events, community activity),
// the activity page, and a site admin resolving a report by hiding the event.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { collectErrors, DESKTOP, launch, newPage, PHONE } from "./lib.mjs";
import { assertNoOverflow, call, checkA11y, logIn, makeSiteAdmin, member, open, settled, shot, uid, unexpected } from "./app.mjs";

const HOUR = 3600_000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

describe("community journeys", { timeout: 90_000 }, () => {
  let browser;
  const tag = uid();
  let host;
  let ev;

  before(async () => {
    browser = await launch();
    host = await member({ name: `Community host ${tag}`, profile: { visibility: { about: "public" } } });
    // Starts in a minute: the first upcoming event whatever else the database holds.
    const r = await call("POST", "/v1/events", {
      token: host.token,
      body: { title: `Open house ${tag}`, kind: "celebration", timezone: "UTC", city: "Springfield", starts_at: iso(Date.now() + 60_000), ends_at: iso(Date.now() + 2 * HOUR) },
    });
    assert.equal(r.status, 201);
    ev = r.body;
  });
  after(async () => {
    await browser?.close();
  });

  test("anonymous visitors land on upcoming events and activity", async () => {
    for (const [size, name] of [[DESKTOP, "desktop"], [PHONE, "phone"]]) {
      const page = await newPage(browser, size);
      const errors = collectErrors(page);
      try {
        await open(page, "/", "Bringing");
        await page.locator("#home-events li", { hasText: ev.title }).waitFor();
        await page.locator("#home-activity li", { hasText: ev.title }).waitFor();
        assert.match(await page.locator("#home-activity li", { hasText: ev.title }).textContent(), /New event/);
        await page.waitForFunction(() => !document.querySelector("[aria-busy]"));
        await assertNoOverflow(page, `home (${name})`);
        await checkA11y(page, `home (${name})`);
        await shot(page, `home-${name}`);
        await page.getByRole("link", { name: "All community activity" }).click();
        await settled(page, "Community activity");
        await page.locator("#activity-list li", { hasText: ev.title }).first().waitFor();
        await checkA11y(page, `activity (${name})`);
        await shot(page, `activity-${name}`);
        await page.locator("#activity-list").getByRole("link", { name: ev.title }).first().click();
        await settled(page, ev.title);
        assert.deepEqual(unexpected(errors), []);
      } finally {
        await page.context().close();
      }
    }
  });

  test("a site admin hides a reported event", async (t) => {
    const [admin, reporter] = await Promise.all([member({ name: `Site admin ${tag}` }), member({ name: `Reporter ${tag}` })]);
    if (!(await makeSiteAdmin(admin.id))) {
      t.skip("needs DATABASE_URL and psql to make a site admin");
      return;
    }
    const bad = (await call("POST", "/v1/events", {
      token: host.token,
      body: { title: `Spammy sale ${tag}`, kind: "social", timezone: "UTC", starts_at: iso(Date.now() + 30 * HOUR), ends_at: iso(Date.now() + 31 * HOUR) },
    })).body;
    const rep = await call("POST", "/v1/reports", { token: reporter.token, body: { subject_type: "event", subject_id: bad.id, reason: `Advertising ${tag}` } });
    assert.equal(rep.status, 201, JSON.stringify(rep.body));
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await logIn(page, admin);
      await page.getByRole("link", { name: "Reports" }).click();
      await settled(page, "Reports");
      const item = page.locator("#report-list li", { hasText: `Advertising ${tag}` });
      await item.waitFor();
      await checkA11y(page, "reports");
      await shot(page, "reports-desktop");
      await item.getByRole("button", { name: `Hide and resolve report ${rep.body.id}` }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Hide and resolve" }).click();
      await item.locator(".report-status", { hasText: "subject hidden" }).waitFor();
      assert.equal((await call("GET", `/v1/events/${bad.id}`)).status, 404, "hidden from everyone else");
      await page.setViewportSize({ width: 375, height: 812 });
      await assertNoOverflow(page, "reports (phone)");
      await shot(page, "reports-phone");
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await page.context().close();
    }
  });
});
