// Events through the real UI: create (an ends_at error first) and edit; RSVP with a guest,
// the waitlist and its promotion; who is going per viewer; CSV download; cancel with a
// reason; the agenda and the month grid with filters in the URL and "Load more"; an
// advocacy event's talking points, attendance and turnout chart, and its recap.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { collectErrors, DESKTOP, launch, newPage, PHONE } from "./lib.mjs";
import { assertNoOverflow, call, checkA11y, logIn, member, open, organization, settled, shot, uid, unexpected } from "./app.mjs";

const HOUR = 3600_000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

async function event(who, fields) {
  const r = await call("POST", "/v1/events", {
    token: who.token,
    body: { title: `Event ${uid()}`, kind: "meetup", timezone: "America/Chicago", starts_at: iso(Date.now() + 72 * HOUR), ends_at: iso(Date.now() + 74 * HOUR), ...fields },
  });
  assert.equal(r.status, 201, `event: ${JSON.stringify(r.body)}`);
  return r.body;
}

describe("event journeys", { timeout: 90_000 }, () => {
  let browser;
  const tag = uid();
  const city = `Evtown${tag}`;
  let org;
  let host;
  let bea;
  let cal;

  before(async () => {
    browser = await launch();
    [host, bea, cal] = await Promise.all([
      member({ name: `Host ${tag}` }),
      member({ name: `Bea ${tag}` }),
      member({ name: `Cal ${tag}` }),
    ]);
    org = await organization(host, { name: `Event Library ${tag}`, city });
  });
  after(async () => {
    await browser?.close();
  });

  test("create with a field error, edit, RSVP, waitlist, CSV and cancel", async () => {
    const hostPage = await newPage(browser, DESKTOP);
    const beaPage = await newPage(browser, DESKTOP);
    const calPage = await newPage(browser, PHONE);
    const errors = collectErrors(hostPage);
    const others = [collectErrors(beaPage), collectErrors(calPage)];
    try {
      await logIn(hostPage, host);
      await hostPage.getByRole("link", { name: "Events", exact: true }).first().click();
      await settled(hostPage, "Events");
      await hostPage.getByRole("link", { name: "Create an event" }).click();
      await settled(hostPage, "Create an event");
      const title = `Coffee and cataloguing ${tag}`;
      await hostPage.getByLabel(/^Title/).fill(title);
      await hostPage.getByLabel(/^Kind/).selectOption("meetup");
      await hostPage.getByLabel("Organization").selectOption(org.slug);
      await hostPage.getByLabel(/^Starts/).fill("2031-03-10T18:00");
      await hostPage.getByLabel(/^Ends/).fill("2031-03-10T17:00");
      await hostPage.getByLabel(/^Time zone/).selectOption("Europe/Paris");
      await hostPage.getByLabel("City", { exact: true }).fill(city);
      await hostPage.getByLabel("Capacity").fill("2");
      await hostPage.getByLabel("Guests per member").fill("1");
      await hostPage.getByLabel("Tags").fill("coffee, cataloguing");
      await hostPage.getByRole("button", { name: "Create event" }).click();
      const endsError = hostPage.locator('[data-field="ends_at"] .field-error');
      await endsError.waitFor();
      // In the form's words: the field it names by its label, not its API name.
      assert.equal(await endsError.textContent(), "Ends: must be after \u201cStarts\u201d");
      await checkA11y(hostPage, "event form with an error");
      await shot(hostPage, "event-form-error-desktop");
      await hostPage.getByLabel(/^Ends/).fill("2031-03-10T20:00");
      await hostPage.getByRole("button", { name: "Create event" }).click();
      await settled(hostPage, title);
      const id = Number(hostPage.url().split("#/events/")[1]);
      const saved = (await call("GET", `/v1/events/${id}`)).body;
      assert.equal(saved.starts_at, "2031-03-10T17:00:00Z", "18:00 in Paris (UTC+1 in March) is 17:00 UTC");
      assert.equal(saved.timezone, "Europe/Paris");
      assert.equal(saved.organization.slug, org.slug);
      assert.deepEqual(saved.tags, ["coffee", "cataloguing"]);
      assert.match(await hostPage.locator(".event-details").textContent(), /6:00 PM – 8:00 PM/);

      await hostPage.getByRole("link", { name: "Edit event" }).click();
      await settled(hostPage, `Edit ${title}`);
      assert.equal(await hostPage.getByLabel(/^Starts/).inputValue(), "2031-03-10T18:00");
      await hostPage.getByLabel("Venue").fill("Reading room");
      await hostPage.getByRole("button", { name: "Save changes" }).click();
      await hostPage.waitForURL((u) => u.hash === `#/events/${id}`);
      await settled(hostPage, title);
      assert.match(await hostPage.locator(".event-details").textContent(), /Reading room/);
      assert.match(await hostPage.locator("#add-to-calendar").getAttribute("href"), new RegExp(`/v1/events/${id}\\.ics$`));

      // Bea: going with one guest takes both places.
      await logIn(beaPage, bea);
      await open(beaPage, `/events/${id}`, title);
      await beaPage.getByRole("radio", { name: "Going", exact: true }).check();
      await beaPage.getByLabel("Guests").fill("1");
      await beaPage.getByRole("button", { name: "Save my RSVP" }).click();
      await beaPage.locator("#rsvp-state", { hasText: "You are going with 1 guest" }).waitFor();
      await beaPage.locator("#going-list", { hasText: bea.name }).waitFor();
      await checkA11y(beaPage, "event page (going)");
      await shot(beaPage, "event-going-desktop");

      // Cal, on a phone: the event is full, so the waitlist, and only counts.
      await logIn(calPage, cal);
      await open(calPage, `/events/${id}`, title);
      // Told before answering; the button says what "Going" does.
      assert.match(await calPage.locator("#rsvp-full").textContent(), /This event is full: .Going. puts you on the waitlist at number 1\./);
      await calPage.getByRole("radio", { name: "Going", exact: true }).check();
      await calPage.getByRole("button", { name: "Join the waitlist" }).click();
      await calPage.locator("#rsvp-state", { hasText: "number 1 on the waitlist" }).waitFor();
      assert.equal(await calPage.locator("#going-list").count(), 0, "a waitlisted member sees counts only");
      assert.match(await calPage.locator("#rsvp-counts").textContent(), /1 going, 1 guest, 1 on the waitlist/);
      await assertNoOverflow(calPage, "event page (phone)");
      await checkA11y(calPage, "event page (waitlisted, phone)");
      await shot(calPage, "event-waitlisted-phone");

      // The organizer sees everyone and downloads the CSV.
      await hostPage.reload();
      await settled(hostPage, title);
      await hostPage.locator("#rsvp-table tbody tr").nth(1).waitFor();
      assert.match(await hostPage.locator("#rsvp-table").textContent(), /Waitlist #1/);
      const [download] = await Promise.all([hostPage.waitForEvent("download"), hostPage.getByRole("button", { name: "Download RSVPs (CSV)" }).click()]);
      const csv = await readFile(await download.path(), "utf8");
      assert.match(csv, /^member_id,display_name,response,status/);
      assert.match(csv, new RegExp(`"${cal.name}",going,waitlisted,1`));
      await checkA11y(hostPage, "event page (organizer)");
      await shot(hostPage, "event-organizer-desktop");

      // Bea withdraws: Cal is promoted.
      await beaPage.getByRole("button", { name: "Withdraw my RSVP" }).click();
      await beaPage.locator("#rsvp-state", { hasText: "not answered" }).waitFor();
      await calPage.reload();
      await settled(calPage, title);
      await calPage.locator("#rsvp-state", { hasText: "You are going" }).waitFor();

      // Cancel with a reason.
      await hostPage.reload();
      await settled(hostPage, title);
      await hostPage.getByLabel("Reason").fill("The room flooded.");
      await hostPage.getByRole("button", { name: "Cancel event" }).click();
      await hostPage.getByRole("dialog").getByRole("button", { name: "Cancel event" }).click();
      await hostPage.locator("#cancelled-banner", { hasText: "The room flooded." }).waitFor();
      await calPage.reload();
      await settled(calPage, title);
      await calPage.locator("#cancelled-banner", { hasText: "The room flooded." }).waitFor();
      assert.equal(await calPage.locator("#rsvp-form").count(), 0, "no RSVP form on a cancelled event");
      await checkA11y(calPage, "cancelled event (phone)");
      await shot(calPage, "event-cancelled-phone");
      assert.deepEqual(unexpected(errors, [400]), []);
      for (const e of others) assert.deepEqual(unexpected(e), []);
    } finally {
      await Promise.all([hostPage, beaPage, calPage].map((p) => p.context().close()));
    }
  });

  test("agenda and month with filters in the URL, Load more and keyboard", async () => {
    const base = Date.UTC(2032, 4, 3, 15, 0, 0); // 3 May 2032, 10:00 in Chicago
    const city = `Agenda${tag}`;
    await Promise.all(
      Array.from({ length: 22 }, (_, i) =>
        event(host, { title: `Agenda ${tag} ${String(i).padStart(2, "0")}`, kind: i === 0 ? "tour" : "meetup", city, starts_at: iso(base + i * 6 * HOUR), ends_at: iso(base + i * 6 * HOUR + HOUR) }),
      ),
    );
    const page = await newPage(browser, PHONE);
    const errors = collectErrors(page);
    try {
      await open(page, `/events?city=${city}`, "Events");
      const cards = page.locator("#agenda .event-card");
      await cards.nth(19).waitFor();
      assert.equal(await cards.count(), 20);
      assert.ok((await page.locator("#agenda h2").count()) >= 4, "grouped by day");
      assert.match(await page.locator("#agenda h2").first().textContent(), /Monday, May 3, 2032/);
      await page.getByRole("button", { name: "Load more events" }).click();
      await cards.nth(21).waitFor();
      assert.equal(await page.getByRole("button", { name: "Load more events" }).isHidden(), true);
      await assertNoOverflow(page, "agenda (phone)");
      await checkA11y(page, "agenda (phone)");
      await shot(page, "events-agenda-phone");

      await page.getByLabel("Kind").selectOption("tour");
      await page.getByRole("button", { name: "Filter" }).click();
      await page.waitForURL(/kind=tour/);
      await settled(page, "Events");
      assert.deepEqual(await cards.locator(".card-title a").allTextContents(), [`Agenda ${tag} 00`]);

      // On a phone the month is that month's agenda: the grid's seven columns do not fit.
      await open(page, `/events?view=month&month=2032-05&city=${city}`, "Events");
      await page.locator("#month-agenda").waitFor();
      assert.equal(await page.locator("#month-grid").count(), 0);
      assert.match(await page.locator(".month-title").textContent(), /May 2032/);
      assert.match(await page.locator("#month-agenda h3").first().textContent(), /Monday, May 3, 2032/);
      assert.equal(await page.locator("#month-agenda .event-card").count(), 22);
      assert.match(await page.locator("#month-help").textContent(), /22 events this month/);
      await assertNoOverflow(page, "month (phone)");
      await checkA11y(page, "month (phone)");
      await shot(page, "events-month-phone");
      // Wider: the grid, without a reload.
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.locator("#month-grid").waitFor();
      assert.match(await page.locator("#month-grid caption").textContent(), /May 2032/);
      const day3 = page.locator('td[data-day="2032-05-03"]');
      assert.ok((await day3.locator("a").count()) >= 2, "events on their day");
      await day3.focus();
      await page.keyboard.press("ArrowRight");
      assert.equal(await page.evaluate(() => document.activeElement.dataset.day), "2032-05-04");
      await page.keyboard.press("ArrowDown");
      assert.equal(await page.evaluate(() => document.activeElement.dataset.day), "2032-05-11");
      await page.keyboard.press("ArrowUp");
      await page.keyboard.press("ArrowLeft");
      await page.keyboard.press("Enter");
      assert.match(await page.evaluate(() => document.activeElement.textContent), new RegExp(`Agenda ${tag}`));
      await day3.focus();
      await page.keyboard.press("PageDown");
      await page.waitForURL(/month=2032-06/);
      await settled(page, "Events");
      await page.waitForFunction(() => document.activeElement?.dataset?.day === "2032-06-03");
      assert.match(page.url(), new RegExp(`city=${city}`), "filters kept");
      await open(page, `/events?view=month&month=2032-05&city=${city}`, "Events");
      await checkA11y(page, "month (desktop)");
      await shot(page, "events-month-desktop");
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await page.context().close();
    }
  });

  test("advocacy: talking points, attendance, turnout chart and recap", async () => {
    const now = Date.now();
    const ev = await event(host, {
      title: `Budget hearing ${tag}`,
      kind: "advocacy",
      city,
      starts_at: iso(now - HOUR),
      ends_at: iso(now + 3 * HOUR),
      target: "City council budget hearing",
      talking_points: "Libraries are the city's living room.\n\nCuts close branches early.",
    });
    assert.equal((await call("PUT", `/v1/events/${ev.id}/rsvp`, { token: bea.token, body: { response: "going" } })).status, 200);
    assert.equal((await call("PUT", `/v1/events/${ev.id}/rsvp`, { token: cal.token, body: { response: "going" } })).status, 200);
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await logIn(page, host);
      await open(page, `/events/${ev.id}`, ev.title);
      assert.match(await page.locator(".advocacy").textContent(), /City council budget hearing/);
      assert.equal(await page.locator("#talking-points p").count(), 2);
      await page.getByRole("button", { name: "Print talking points" }).waitFor();
      const chart = page.getByRole("img", { name: "Turnout: pledged versus attended" });
      await chart.waitFor();
      assert.match(await page.locator(".turnout-text").textContent(), /2 pledged to attend; 0 attended/);
      await page.getByRole("checkbox", { name: bea.name }).check();
      await page.getByRole("button", { name: "Save attendance" }).click();
      await page.locator("#flash", { hasText: "1 attended, 1 did not" }).waitFor();
      await page.locator(".turnout-text", { hasText: "2 pledged to attend; 1 attended (50% of pledges)" }).waitFor();
      await page.getByRole("textbox", { name: "Recap" }).fill("Forty people spoke; the branch hours were saved.");
      await page.getByRole("button", { name: "Publish recap" }).click();
      await page.locator("#recap-h").waitFor();
      assert.match(await page.locator("#view").textContent(), /branch hours were saved/);
      await checkA11y(page, "advocacy event (organizer)");
      await shot(page, "event-advocacy-desktop");
      await page.setViewportSize({ width: 375, height: 812 });
      await assertNoOverflow(page, "advocacy (phone)");
      await shot(page, "event-advocacy-phone");
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await page.context().close();
    }
  });
});
