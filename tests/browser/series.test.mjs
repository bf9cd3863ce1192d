// Recurring events through the real UI: the "Repeats" part of the new-event form (weekly on
// chosen days, a number of times), the rule in words on each occurrence's page with links
// to the other dates, and a refused count said at its field.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { collectErrors, DESKTOP, launch, newPage } from "./lib.mjs";
import { call, checkA11y, logIn, member, open, settled, shot, uid, unexpected } from "./app.mjs";

describe("recurring events", { timeout: 90_000 }, () => {
  let browser;
  let host;
  const tag = uid();

  before(async () => {
    browser = await launch();
    host = await member({ name: `Series host ${tag}` });
  });
  after(async () => {
    await browser?.close();
  });

  test("create a weekly series, see it in words, visit another date", async () => {
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await logIn(page, host);
      await open(page, "/events/new", "Create an event");
      const title = `Book club ${tag}`;
      await page.getByLabel(/^Title/).fill(title);
      await page.getByLabel(/^Kind/).selectOption("meetup");
      // 4 March 2031 is a Tuesday; Chicago changes to daylight time on 9 March.
      await page.getByLabel(/^Starts/).fill("2031-03-04T18:00");
      await page.getByLabel(/^Ends/).fill("2031-03-04T19:30");
      await page.getByLabel(/^Time zone/).selectOption("America/Chicago");
      assert.equal(await page.getByLabel("Number of times").isVisible(), false);
      await page.getByLabel("Repeats", { exact: true }).selectOption("weekly");
      await page.getByLabel("Tue", { exact: true }).check();
      await page.getByLabel("Thu", { exact: true }).check();
      await page.getByLabel("Number of times").fill("500");
      await page.getByRole("button", { name: "Create event" }).click();
      const countError = page.locator('[data-field="repeat_count"] .field-error');
      await countError.waitFor();
      assert.match(await countError.textContent(), /1 to 200/);
      await checkA11y(page, "event form repeating weekly");
      await shot(page, "event-repeats-desktop");
      await page.getByLabel("Number of times").fill("4");
      await page.getByRole("button", { name: "Create event" }).click();
      await settled(page, title);

      const id = Number(page.url().split("#/events/")[1]);
      const ev = (await call("GET", `/v1/events/${id}`)).body;
      assert.equal(ev.recurrence, "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=4");
      const series = (await call("GET", `/v1/series/${ev.series_id}`)).body;
      assert.deepEqual(series.occurrences.map((o) => o.starts_at),
        ["2031-03-05T00:00:00Z", "2031-03-07T00:00:00Z", "2031-03-11T23:00:00Z", "2031-03-13T23:00:00Z"]);
      const note = page.locator("#series-note");
      assert.match(await note.textContent(), /Repeats: Every Tuesday and Thursday at 6:00 PM, 4 times\./);
      assert.equal(await note.getByRole("link").count(), 3);
      await note.getByRole("link").nth(1).click();
      await settled(page, title);
      assert.equal(page.url().split("#/events/")[1], String(series.occurrences[2].id));
      assert.match(await page.locator(".event-details").textContent(), /6:00 PM – 7:30 PM/);

      // Going to this date and every later one.
      await page.getByRole("radio", { name: "Going", exact: true }).check();
      await page.getByLabel("The same for every later date of this series").check();
      await page.getByRole("button", { name: "Save my RSVP" }).click();
      await page.locator("#rsvp-state").filter({ hasText: /going/i }).waitFor();
      const mine = async (o) => (await call("GET", `/v1/events/${o.id}`, { token: host.token })).body.my_rsvp;
      assert.deepEqual(await Promise.all(series.occurrences.map(async (o) => (await mine(o))?.status ?? null)),
        [null, null, "going", "going"]);
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await page.context().close();
    }
  });
});
