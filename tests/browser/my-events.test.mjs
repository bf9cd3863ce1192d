// "My events" through the real UI: a member sees the events they are going to, are
// waitlisted for (with their place in line), organize and are invited to, upcoming and
// past, filtered by relation; and subscribes to their personal calendar: the subscribe
// link's https form returns their calendar, a new link replaces the old one, and turning
// it off stops it. axe finds nothing serious at 1280 and 375 px.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { collectErrors, DESKTOP, launch, newPage, PHONE } from "./lib.mjs";
import { API, assertNoOverflow, call, checkA11y, logIn, member, open, settled, shot, uid, unexpected } from "./app.mjs";

const HOUR = 3600_000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

// The database, for what the API does not take: a past event and its RSVP, and an
// invitation without the inviting rules (both ordinary rows).
function pgConfig(url) {
  const cfg = {};
  for (const part of url.trim().split(/\s+/)) {
    const [k, v] = part.split("=");
    if (k === "host") cfg.host = v;
    else if (k === "port") cfg.port = Number(v);
    else if (k === "dbname") cfg.database = v;
    else if (k === "user") cfg.user = v;
  }
  return cfg;
}

describe("my events", { timeout: 120_000 }, () => {
  let browser;
  let db;
  const tag = uid();
  let me;
  let host;
  let other;
  const ev = {};

  const event = async (who, title, startsIn, fields = {}) => {
    const r = await call("POST", "/v1/events", {
      token: who.token,
      body: { title, kind: "meetup", timezone: "UTC", starts_at: iso(Date.now() + startsIn * HOUR), ends_at: iso(Date.now() + (startsIn + 2) * HOUR), ...fields },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };
  const rsvp = async (who, e) => {
    const r = await call("PUT", `/v1/events/${e.id}/rsvp`, { token: who.token, body: { response: "going" } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };

  before(async () => {
    browser = await launch();
    db = new pg.Client(pgConfig(process.env.DATABASE_URL));
    await db.connect();
    [me, host, other] = await Promise.all([member({ name: `Mo ${tag}` }), member({ name: `Host ${tag}` }), member({ name: `Other ${tag}` })]);
    ev.going = await event(host, `Book club ${tag}`, 30);
    ev.full = await event(host, `Archive tour ${tag}`, 40, { capacity: 1 });
    ev.own = await event(me, `My zine swap ${tag}`, 50);
    ev.invited = await event(host, `Poetry night ${tag}`, 60);
    ev.unrelated = await event(host, `Someone else's party ${tag}`, 35);
    await rsvp(me, ev.going);
    await rsvp(other, ev.full);
    assert.equal((await rsvp(me, ev.full)).status, "waitlisted");
    await db.query("INSERT INTO invitations (event_id, sender_id, recipient_id, reason) VALUES ($1, $2, $3, 'you both like poems')", [ev.invited.id, host.id, me.id]);
    const past = await db.query(
      `INSERT INTO events (title, kind, starts_at, ends_at, timezone, created_by)
       VALUES ($1, 'social', now() - interval '50 hours', now() - interval '48 hours', 'UTC', $2) RETURNING id`,
      [`Last month's picnic ${tag}`, host.id],
    );
    ev.past = { id: Number(past.rows[0].id), title: `Last month's picnic ${tag}` };
    await db.query("INSERT INTO event_organizers (event_id, member_id) VALUES ($1, $2)", [ev.past.id, host.id]);
    await db.query("INSERT INTO rsvps (event_id, member_id, response, status) VALUES ($1, $2, 'going', 'going')", [ev.past.id, me.id]);
  });
  after(async () => {
    await db?.end();
    await browser?.close();
  });

  const card = (page, e) => page.locator("#my-events > li", { hasText: e.title });

  test("each state, upcoming and past, by relation (desktop and phone)", async () => {
    for (const size of [DESKTOP, PHONE]) {
      const page = await newPage(browser, size);
      const errors = collectErrors(page);
      try {
        await logIn(page, me);
        if (size === PHONE) await page.locator("#menu-toggle").click();
        await page.locator("#site-nav").getByRole("link", { name: "My events" }).click();
        await page.locator("#my-events > li").first().waitFor();
        await settled(page, "My events");
        const titles = await page.locator("#my-events > li .card-title a").allTextContents();
        assert.deepEqual(titles, [ev.going.title, ev.full.title, ev.own.title, ev.invited.title]);
        assert.match(await card(page, ev.going).locator(".my-event-state").textContent(), /^You are going\.$/);
        assert.match(await card(page, ev.full).locator(".my-event-state").textContent(), /You are on the waitlist: number 1 in line/);
        assert.match(await card(page, ev.full).textContent(), /Waitlist #1/);
        assert.match(await card(page, ev.own).locator(".my-event-state").textContent(), /You are organizing it/);
        assert.match(await card(page, ev.invited).locator(".my-event-state").textContent(), /You are invited/);
        await card(page, ev.invited).getByRole("link", { name: "your invitations" }).waitFor();
        await checkA11y(page, `my events (${size.width}px)`);
        await assertNoOverflow(page, `my events (${size.width}px)`);
        await shot(page, `my-events-${size.width}`);

        // Only the waitlisted ones; the filter is in the URL.
        await page.getByRole("link", { name: "Waitlisted", exact: true }).click();
        await page.waitForFunction(() => location.hash === "#/me/events?relation=waitlisted");
        await settled(page, "My events");
        await page.locator("#my-events > li", { hasText: ev.full.title }).waitFor();
        assert.deepEqual(await page.locator("#my-events > li .card-title a").allTextContents(), [ev.full.title]);

        // Past: the picnic, which I went to.
        await page.getByRole("link", { name: "Past", exact: true }).click();
        await page.waitForFunction(() => location.hash === "#/me/events?when=past&relation=waitlisted");
        await settled(page, "My events");
        await page.locator(".result-count", { hasText: "No past events you are waitlisted for." }).waitFor();
        await page.getByRole("link", { name: "All", exact: true }).click();
        await page.waitForFunction(() => location.hash === "#/me/events?when=past");
        await settled(page, "My events");
        await card(page, ev.past).waitFor();
        assert.deepEqual(await page.locator("#my-events > li .card-title a").allTextContents(), [ev.past.title]);
        assert.equal(await card(page, ev.past).locator(".my-event-state").textContent(), "You went.");
        await checkA11y(page, `my past events (${size.width}px)`);
        assert.deepEqual(unexpected(errors), []);
      } finally {
        await page.context().close();
      }
    }
  });

  test("the personal calendar: subscribe, the https link returns my calendar, new link, turn off", async () => {
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await logIn(page, me);
      await open(page, "/me/events", "My events");
      await page.getByRole("button", { name: "Get my calendar link" }).click();
      const subscribe = page.getByRole("link", { name: "Subscribe in my calendar app" });
      await subscribe.waitFor();
      const webcal = await subscribe.getAttribute("href");
      const url = await page.getByLabel("Your calendar link").inputValue();
      assert.match(webcal, /^webcal:\/\//);
      assert.equal(url.replace(/^https?:/, "webcal:"), webcal);
      assert.ok(url.startsWith(`${API}/v1/me/calendar.ics?key=`), url);
      await checkA11y(page, "my events with the calendar link");

      // The link is my calendar: the events I am going to, not the others.
      const res = await fetch(url);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type"), /^text\/calendar/);
      const ics = await res.text();
      assert.match(ics, /BEGIN:VCALENDAR/);
      assert.ok(ics.includes(`SUMMARY:Book club ${tag}`), ics);
      assert.ok(!ics.includes(`Someone else`), ics);

      // A new link: the old one stops working.
      await page.getByRole("button", { name: "Make a new link" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Make a new link" }).click();
      await page.waitForFunction((old) => document.getElementById("calendar-url")?.value !== old, url);
      const url2 = await page.getByLabel("Your calendar link").inputValue();
      assert.equal((await fetch(url)).status, 404);
      assert.equal((await fetch(url2)).status, 200);

      // Turned off: the link stops working.
      await page.getByRole("button", { name: "Turn off my calendar link" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Turn off" }).click();
      await page.locator("#calendar-link", { hasText: "Your calendar link is turned off" }).waitFor();
      assert.equal((await fetch(url2)).status, 404);
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await page.context().close();
    }
  });
});
