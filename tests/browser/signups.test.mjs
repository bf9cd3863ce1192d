// Sign-up lists through the real UI: an organizer adds slots to a party (a field error
// first), a member who is going signs up for one with a note and sees the places left,
// the organizer sees who signed up, and the member releases the place.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { collectErrors, DESKTOP, launch, newPage, PHONE } from "./lib.mjs";
import { assertNoOverflow, call, checkA11y, logIn, member, open, settled, shot, uid, unexpected } from "./app.mjs";

const HOUR = 3600_000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

describe("sign-up lists", { timeout: 90_000 }, () => {
  let browser;
  const tag = uid();
  let host;
  let dot;

  before(async () => {
    browser = await launch();
    [host, dot] = await Promise.all([member({ name: `Party host ${tag}` }), member({ name: `Dot ${tag}` })]);
  });
  after(async () => {
    await browser?.close();
  });

  test("an organizer adds slots and a member who is going claims one", async () => {
    const title = `Winter party ${tag}`;
    const ev = await call("POST", "/v1/events", {
      token: host.token,
      body: { title, kind: "celebration", timezone: "UTC", starts_at: iso(Date.now() + 96 * HOUR), ends_at: iso(Date.now() + 99 * HOUR) },
    });
    assert.equal(ev.status, 201, JSON.stringify(ev.body));
    const id = ev.body.id;
    const hostPage = await newPage(browser, DESKTOP);
    const dotPage = await newPage(browser, PHONE);
    const hostErrors = collectErrors(hostPage);
    const dotErrors = collectErrors(dotPage);
    try {
      await logIn(hostPage, host);
      await open(hostPage, `/events/${id}`, title);
      const form = hostPage.locator("#slot-form");
      await form.waitFor();
      // No title: the error is shown at the field.
      await form.getByRole("button", { name: "Add slot" }).click();
      await form.locator('[data-field="title"] .field-error').waitFor();
      await form.getByLabel(/^What/).fill("Bring snacks");
      await form.getByLabel(/^Places/).fill("5");
      await form.getByLabel("Note (optional)").fill("Savoury is welcome");
      await form.getByRole("button", { name: "Add slot" }).click();
      await hostPage.locator("#slot-list li", { hasText: "Bring snacks" }).locator(".slot-places", { hasText: "0 of 5 signed up, 5 left" }).waitFor();
      await hostPage.locator("#flash", { hasText: '"Bring snacks" was added' }).waitFor();
      await form.getByLabel(/^What/).fill("Set-up crew");
      await form.getByLabel(/^Places/).fill("2");
      await form.getByRole("button", { name: "Add slot" }).click();
      await hostPage.locator("#slot-list li", { hasText: "Set-up crew" }).waitFor();
      await checkA11y(hostPage, "event page, organizer with slots");
      await shot(hostPage, "signups-organizer-desktop");

      // Dot is going, on a phone: signs up for snacks with a note.
      assert.equal((await call("PUT", `/v1/events/${id}/rsvp`, { token: dot.token, body: { response: "going" } })).status, 200);
      await logIn(dotPage, dot);
      await open(dotPage, `/events/${id}`, title);
      const snacks = dotPage.locator("#slot-list li", { hasText: "Bring snacks" });
      await snacks.waitFor();
      await checkA11y(dotPage, "event page, sign-up list (phone)");
      await assertNoOverflow(dotPage, "event page, sign-up list (phone)");
      await snacks.getByLabel("What you bring or do (optional)").fill("hummus and pita");
      await snacks.getByRole("button", { name: "Sign up" }).click();
      await snacks.locator(".slot-places", { hasText: "1 of 5 signed up, 4 left" }).waitFor();
      await snacks.locator(".pill", { hasText: "You signed up" }).waitFor();
      await dotPage.locator("#flash", { hasText: 'You signed up for "Bring snacks"' }).waitFor();
      assert.match(await snacks.textContent(), /hummus and pita/);
      await checkA11y(dotPage, "signed up (phone)");
      await shot(dotPage, "signups-member-phone");

      // The organizer sees who signed up.
      await hostPage.reload();
      await settled(hostPage, title);
      await hostPage.locator("#slot-list li", { hasText: "Bring snacks" }).getByRole("link", { name: dot.name }).waitFor();

      // Dot releases the place.
      await snacks.getByRole("button", { name: "Release my place: Bring snacks" }).click();
      await snacks.locator(".slot-places", { hasText: "0 of 5 signed up, 5 left" }).waitFor();
      const slots = await call("GET", `/v1/events/${id}/slots`, { token: host.token });
      assert.deepEqual(slots.body.data.map((s) => [s.title, s.claimed_count]), [["Bring snacks", 0], ["Set-up crew", 0]]);
      assert.deepEqual(unexpected(hostErrors, [400]), []);
      assert.deepEqual(unexpected(dotErrors), []);
    } finally {
      await hostPage.context().close();
      await dotPage.context().close();
    }
  });
});
