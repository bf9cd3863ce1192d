// Editing and cancelling an occurrence of a series through the real UI: the form asks which
// events of the series the change is for ("This event", "This and following events", "All
// events in the series") and sends PATCH ?scope=; times change one date at a time; a
// cancellation of several dates is one POST .../cancel?scope= for the dates still to come.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { collectErrors, DESKTOP, launch, newPage } from "./lib.mjs";
import { call, checkA11y, logIn, member, open, settled, shot, uid, unexpected } from "./app.mjs";

describe("edit scope of a series", { timeout: 120_000 }, () => {
  let browser;
  let host;
  const tag = uid();

  before(async () => {
    browser = await launch();
    host = await member({ name: `Scope host ${tag}` });
  });
  after(async () => {
    await browser?.close();
  });

  test("this and following, all, this; cancel this and following", async () => {
    const title = `Reading circle ${tag}`;
    const day = new Date(Date.now() + 10 * 86400000).toISOString().slice(0, 10);
    let r = await call("POST", "/v1/events", { token: host.token, body: { title, kind: "meetup",
      venue: "Hall", capacity: 10, starts_at: `${day}T18:00:00Z`, ends_at: `${day}T19:00:00Z`,
      timezone: "UTC", recurrence: "FREQ=WEEKLY;COUNT=5" } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const sid = r.body.series_id;
    const ids = (await call("GET", `/v1/series/${sid}`)).body.occurrences.map((o) => o.id);
    assert.equal(ids.length, 5);
    const events = async () => Promise.all(ids.map(async (id) => (await call("GET", `/v1/events/${id}`)).body));

    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    // Saved: the app has left the edit form (whose heading has the title too) for the page.
    const saved = async (id) => {
      await page.waitForFunction((want) => location.hash === want, `#/events/${id}`);
      await settled(page, title);
    };
    try {
      await logIn(page, host);

      // This and following, from the second date: a new venue for dates 2..5.
      await open(page, `/events/${ids[1]}/edit`, `Edit ${title}`);
      const thisOne = page.getByRole("radio", { name: /^This event/ });
      assert.equal(await thisOne.isChecked(), true, "This event is the default");
      await page.getByLabel("Venue").fill("Room B");
      await page.getByRole("radio", { name: /^This and following events/ }).check();
      await checkA11y(page, "event form with the scope question");
      await shot(page, "event-edit-scope-desktop");
      await page.getByRole("button", { name: "Save changes" }).click();
      await saved(ids[1]);
      let evs = await events();
      assert.deepEqual(evs.map((e) => e.venue), ["Hall", "Room B", "Room B", "Room B", "Room B"]);
      const sid2 = evs[1].series_id;
      assert.notEqual(sid2, sid);
      assert.deepEqual(evs.map((e) => e.series_id), [sid, sid2, sid2, sid2, sid2]);

      // All events of the (new) series, from its third date: only what changed is sent,
      // and a time change is refused at the question, before anything is sent.
      await open(page, `/events/${ids[3]}/edit`, `Edit ${title}`);
      await page.getByLabel("Capacity").fill("30");
      await page.getByRole("radio", { name: /^All events in the series/ }).check();
      const fourth = evs[3].starts_at.slice(0, 10);
      await page.getByLabel(/^Starts/).fill(`${fourth}T17:00`);
      await page.getByRole("button", { name: "Save changes" }).click();
      const scopeError = page.locator('[data-field="scope"] .field-error');
      await scopeError.waitFor();
      assert.match(await scopeError.textContent(), /one date at a time/);
      await page.getByLabel(/^Starts/).fill(`${fourth}T18:00`);
      await page.getByRole("button", { name: "Save changes" }).click();
      await saved(ids[3]);
      evs = await events();
      assert.deepEqual(evs.map((e) => e.capacity), [10, 30, 30, 30, 30]);
      assert.deepEqual(evs.map((e) => e.venue), ["Hall", "Room B", "Room B", "Room B", "Room B"]);

      // This event (the default): the fifth date alone, an hour later.
      await open(page, `/events/${ids[4]}/edit`, `Edit ${title}`);
      const fifth = evs[4].starts_at.slice(0, 10);
      await page.getByLabel(/^Starts/).fill(`${fifth}T19:00`);
      await page.getByLabel(/^Ends/).fill(`${fifth}T20:00`);
      await page.getByRole("button", { name: "Save changes" }).click();
      await saved(ids[4]);
      evs = await events();
      assert.deepEqual(evs.map((e) => e.starts_at.slice(11)), ["18:00:00Z", "18:00:00Z", "18:00:00Z", "18:00:00Z", "19:00:00Z"]);

      // Cancel this and following, from the third date: three dates.
      await open(page, `/events/${ids[2]}`, title);
      await page.getByLabel("Reason").fill("The library closes for works.");
      await page.locator("#cancel-form").getByRole("radio", { name: /^This and following events/ }).check();
      await checkA11y(page, "cancel form with the scope question");
      await page.getByRole("button", { name: "Cancel event" }).click();
      const dialog = page.getByRole("dialog");
      assert.match(await dialog.textContent(), /3 dates will be cancelled/);
      await dialog.getByRole("button", { name: "Cancel 3 events" }).click();
      await page.locator("#cancelled-banner", { hasText: "The library closes for works." }).waitFor();
      evs = await events();
      assert.deepEqual(evs.map((e) => e.status), ["scheduled", "scheduled", "cancelled", "cancelled", "cancelled"]);
      assert.deepEqual(unexpected(errors, [400]), []);
    } finally {
      await page.context().close();
    }
  });
});
