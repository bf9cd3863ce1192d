// The waitlist through the real UI: before answering, a member sees that the event is
// full and that "Going" puts them on the waitlist at place N (the button says so too);
// once waitlisted, the event page, the events list and "My events" say where they stand.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { collectErrors, DESKTOP, launch, newPage, PHONE } from "./lib.mjs";
import { call, checkA11y, logIn, member, open, uid, unexpected } from "./app.mjs";

const HOUR = 3600_000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

describe("the waitlist", { timeout: 90_000 }, () => {
  let browser;
  const tag = uid();
  let host;
  let first;
  let ava;
  let ben;
  let ev;

  before(async () => {
    browser = await launch();
    [host, first, ava, ben] = await Promise.all(["Host", "First", "Ava", "Ben"].map((n) => member({ name: `${n} ${tag}` })));
    const r = await call("POST", "/v1/events", {
      token: host.token,
      body: { title: `Tiny tour ${tag}`, kind: "tour", timezone: "UTC", capacity: 2, guest_limit: 1, starts_at: iso(Date.now() + 50 * HOUR), ends_at: iso(Date.now() + 52 * HOUR) },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    ev = r.body;
    assert.equal((await call("PUT", `/v1/events/${ev.id}/rsvp`, { token: first.token, body: { response: "going" } })).status, 200);
  });
  after(async () => {
    await browser?.close();
  });

  test("said before submitting, shown while waitlisted", async () => {
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await logIn(page, ava);
      await open(page, `/events/${ev.id}`, ev.title);
      // One place left: Ava alone fits, Ava with a guest does not.
      const notice = page.locator("#rsvp-full");
      assert.equal(await notice.isVisible(), false);
      await page.getByRole("radio", { name: "Going", exact: true }).check();
      await page.getByLabel("Guests").fill("1");
      await notice.waitFor();
      assert.match(await notice.textContent(), /Only 1 place is left, not enough for you and 1 guest: .Going. puts you on the waitlist at number 1\./);
      await page.getByRole("button", { name: "Join the waitlist" }).waitFor();
      await page.getByLabel("Guests").fill("0");
      await notice.waitFor({ state: "hidden" });
      await page.getByRole("button", { name: "Save my RSVP" }).click();
      await page.locator("#rsvp-state", { hasText: "You are going." }).waitFor();
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await page.context().close();
    }

    // Now it is full: Ben is told before answering, and joins the waitlist.
    const phone = await newPage(browser, PHONE);
    const phoneErrors = collectErrors(phone);
    try {
      await logIn(phone, ben);
      await open(phone, `/events/${ev.id}`, ev.title);
      const notice = phone.locator("#rsvp-full");
      await notice.waitFor();
      assert.match(await notice.textContent(), /This event is full: .Going. puts you on the waitlist at number 1\./);
      await checkA11y(phone, "full event, before answering (phone)");
      await phone.getByRole("radio", { name: "Going", exact: true }).check();
      await phone.getByRole("button", { name: "Join the waitlist" }).click();
      const state = phone.locator("#rsvp-state", { hasText: "number 1 on the waitlist" });
      await state.waitFor();
      assert.match(await state.textContent(), /The event is full: you are number 1 on the waitlist/);
      assert.equal(await notice.count(), 0, "no 'full' warning once waitlisted");
      await checkA11y(phone, "waitlisted (phone)");
      // The list and My events say so too.
      await open(phone, "/me/events", "My events");
      const card = phone.locator("#my-events > li", { hasText: ev.title });
      await card.waitFor();
      assert.match(await card.textContent(), /Waitlist #1/);
      assert.match(await card.locator(".my-event-state").textContent(), /You are on the waitlist: number 1 in line/);
      assert.deepEqual(unexpected(phoneErrors), []);
    } finally {
      await phone.context().close();
    }
  });
});
