// Finding events: keywords, a tag and a date range on the events list, kept in the URL so
// a search can be shared (the same URL in another browser gives the same results, and
// the feed links carry the same filters); an organization's page lists its upcoming
// events with its feed links.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { collectErrors, DESKTOP, launch, newPage, PHONE } from "./lib.mjs";
import { API, assertNoOverflow, call, checkA11y, member, open, organization, settled, uid, unexpected } from "./app.mjs";

const HOUR = 3600_000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

describe("finding events", { timeout: 90_000 }, () => {
  let browser;
  const tag = uid();
  const word = `origami${tag}`;
  let host;
  let org;
  const ev = {};

  // Days from a base 60 days ahead (feeds cover one year ahead), as "YYYY-MM-DD".
  const DAY = 24 * HOUR;
  const base = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) + 60 * DAY;
  const day = (n) => new Date(base + n * DAY).toISOString().slice(0, 10);
  const event = async (title, n, tags, fields = {}) => {
    const start = base + n * DAY + 15 * HOUR;
    const r = await call("POST", "/v1/events", {
      token: host.token,
      body: { title, kind: "meetup", timezone: "UTC", tags, starts_at: iso(start), ends_at: iso(start + 2 * HOUR), ...fields },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };

  before(async () => {
    browser = await launch();
    host = await member({ name: `Finder ${tag}` });
    org = await organization(host, { name: `Search Library ${tag}` });
    ev.match = await event(`${word} for beginners`, 9, [`t${tag}`]);
    ev.noWord = await event(`Knitting circle ${tag}`, 19, [`t${tag}`]);
    ev.later = await event(`${word} masterclass`, 45, [`t${tag}`]);
    ev.noTag = await event(`${word} swap`, 11, []);
    ev.org1 = await event(`Reading hour ${tag}`, 59, [], { organization: org.slug });
    ev.org2 = await event(`Makerspace open day ${tag}`, 66, [], { organization: org.slug });
  });
  after(async () => {
    await browser?.close();
  });

  const titles = (page) => page.locator("#agenda .event-card .card-title a").allTextContents();

  test("keywords, tag and dates in the URL: a shared search URL gives the same results", async () => {
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    let url;
    try {
      await open(page, "/events", "Events");
      await page.getByLabel("Keywords").fill(word);
      await page.getByLabel("Tag").fill(`t${tag}`);
      await page.getByLabel("From (date)").fill(day(0));
      await page.getByLabel("To (date)").fill(day(30));
      await page.getByRole("button", { name: "Filter" }).click();
      await page.waitForURL((u) => u.hash.includes(`from=${day(0)}`));
      await settled(page, "Events");
      url = page.url();
      const q = new URLSearchParams(new URL(url).hash.split("?")[1]);
      assert.equal(q.get("q"), word);
      assert.equal(q.get("tag"), `t${tag}`);
      assert.equal(q.get("to"), day(30));
      await page.locator("#agenda .event-card").first().waitFor();
      assert.deepEqual(await titles(page), [ev.match.title]);
      // The feeds carry the same filters, the days as times.
      const ics = await page.getByRole("link", { name: "calendar (.ics)" }).getAttribute("href");
      const feed = new URL(ics);
      assert.equal(feed.origin + feed.pathname, `${API}/v1/events.ics`);
      assert.equal(feed.searchParams.get("q"), word);
      assert.equal(feed.searchParams.get("from"), `${day(0)}T00:00:00Z`);
      assert.equal(feed.searchParams.get("to"), `${day(31)}T00:00:00Z`);
      const body = await (await fetch(ics)).text();
      assert.ok(body.includes(ev.match.title) && !body.includes(ev.noTag.title) && !body.includes(ev.later.title), body);
      await checkA11y(page, "events filtered by keywords, tag and dates");

      // Without the date range: the February one too, the untagged one still not.
      await page.getByLabel("From (date)").fill("");
      await page.getByLabel("To (date)").fill("");
      await page.getByRole("button", { name: "Filter" }).click();
      await page.waitForURL((u) => !/from=/.test(u.hash));
      await settled(page, "Events");
      await page.locator("#agenda .event-card", { hasText: "masterclass" }).waitFor();
      assert.deepEqual(await titles(page), [ev.match.title, ev.later.title]);
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await page.context().close();
    }

    // The shared URL, opened by someone else (anonymous, on a phone).
    const other = await newPage(browser, PHONE);
    const otherErrors = collectErrors(other);
    try {
      await other.goto(url);
      await settled(other, "Events");
      await other.locator("#agenda .event-card").first().waitFor();
      assert.deepEqual(await titles(other), [ev.match.title]);
      assert.equal(await other.getByLabel("Keywords").inputValue(), word);
      assert.equal(await other.getByLabel("Tag").inputValue(), `t${tag}`);
      assert.equal(await other.getByLabel("From (date)").inputValue(), day(0));
      assert.equal(await other.getByLabel("To (date)").inputValue(), day(30));
      await assertNoOverflow(other, "filtered events (phone)");
      assert.deepEqual(unexpected(otherErrors), []);
    } finally {
      await other.context().close();
    }
  });

  test("an organization's page lists its upcoming events and its feeds", async () => {
    for (const size of [DESKTOP, PHONE]) {
      const page = await newPage(browser, size);
      const errors = collectErrors(page);
      try {
        await open(page, `/organizations/${org.slug}`, org.name);
        const section = page.locator("#org-events");
        await section.locator(".event-card").first().waitFor();
        assert.deepEqual(await section.locator(".event-card .card-title a").allTextContents(), [ev.org1.title, ev.org2.title]);
        const webcal = await section.getByRole("link", { name: /calendar/i }).getAttribute("href");
        assert.equal(webcal, `${API.replace(/^https?:/, "webcal:")}/v1/organizations/${org.slug}/events.ics`);
        assert.equal(await section.getByRole("link", { name: "RSS" }).getAttribute("href"), `${API}/v1/organizations/${org.slug}/events.rss`);
        assert.equal(await section.getByRole("link", { name: "JSON Feed" }).getAttribute("href"), `${API}/v1/organizations/${org.slug}/events.json`);
        const rss = await (await fetch(`${API}/v1/organizations/${org.slug}/events.rss`)).text();
        assert.ok(rss.includes(ev.org1.title), rss);
        await section.getByRole("link", { name: /All events of/ }).click();
        await settled(page, "Events");
        assert.match(page.url(), new RegExp(`organization=${org.slug}`));
        await page.locator("#agenda .event-card").first().waitFor();
        assert.deepEqual(await titles(page), [ev.org1.title, ev.org2.title]);
        await open(page, `/organizations/${org.slug}`, org.name);
        await section.locator(".event-card").first().waitFor();
        await checkA11y(page, `organization page with events (${size.width}px)`);
        await assertNoOverflow(page, `organization page (${size.width}px)`);
        assert.deepEqual(unexpected(errors), []);
      } finally {
        await page.context().close();
      }
    }
  });
});
