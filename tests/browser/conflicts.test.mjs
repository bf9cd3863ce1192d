// Someone else saves while a member is editing: the event, organization and profile forms
// send the version they were made from (If-Match); the API's 412 shows "This was changed
// by someone else while you were editing: reload to see the changes", what was typed
// stays, and reloading shows the other change with the typed fields on top.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { collectErrors, DESKTOP, launch, newPage } from "./lib.mjs";
import { call, checkA11y, logIn, member, open, organization, settled, shot, uid, unexpected } from "./app.mjs";

const HOUR = 3600_000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const CHANGED = "This was changed by someone else while you were editing: reload to see the changes";

describe("edits that cross someone else's", { timeout: 90_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test("event: a co-organizer saves first; 412, typed text kept, reload merges, save", async () => {
    const tag = uid();
    const [host, co] = await Promise.all([member({ name: `Host ${tag}` }), member({ name: `Co ${tag}` })]);
    const title = `Zine night ${tag}`;
    const created = await call("POST", "/v1/events", {
      token: host.token,
      body: { title, kind: "meetup", timezone: "Europe/Paris", venue: "Hall A", organizers: [co.id], starts_at: iso(Date.now() + 72 * HOUR), ends_at: iso(Date.now() + 74 * HOUR) },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id;
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await logIn(page, host);
      await open(page, `/events/${id}/edit`, `Edit ${title}`);
      const typed = `Bring your scissors ${tag}`;
      await page.getByLabel("Description").fill(typed);

      // Meanwhile the co-organizer moves it to another hall.
      const moved = await call("PATCH", `/v1/events/${id}`, { token: co.token, body: { venue: "Hall B" } });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));

      await page.getByRole("button", { name: "Save changes" }).click();
      const alert = page.locator("#event-form .form-alert .notice-error");
      await alert.waitFor();
      assert.equal((await alert.locator("p").textContent()).trim(), CHANGED);
      assert.match(page.url(), new RegExp(`#/events/${id}/edit$`), "the form stays");
      assert.equal(await page.getByLabel("Description").inputValue(), typed, "what was typed stays");
      assert.equal(await page.getByLabel("Venue").inputValue(), "Hall A");
      const server = (await call("GET", `/v1/events/${id}`)).body;
      assert.equal(server.venue, "Hall B", "the co-organizer's change was kept");
      assert.equal(server.description, null, "nothing of the stale edit was saved");
      await checkA11y(page, "event form after a 412");
      await shot(page, "event-form-changed-desktop");

      // Reload: their venue, my description, and a notice to review.
      await page.locator("#reload-changed").click();
      await page.locator("#draft-restored").waitFor();
      await settled(page, `Edit ${title}`);
      assert.equal(await page.getByLabel("Venue").inputValue(), "Hall B");
      assert.equal(await page.getByLabel("Description").inputValue(), typed);
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.waitForURL((u) => u.hash === `#/events/${id}`);
      await settled(page, title);
      const after = (await call("GET", `/v1/events/${id}`)).body;
      assert.equal(after.venue, "Hall B");
      assert.equal(after.description, typed);
      assert.equal(after.version, server.version + 1);
      assert.deepEqual(unexpected(errors, [412]), []);
    } finally {
      await page.context().close();
    }
  });

  test("organization and profile: the same message, and nothing typed is lost", async () => {
    const tag = uid();
    const admin = await member({ name: `Admin ${tag}` });
    const org = await organization(admin, { name: `Branch ${tag}` });
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await logIn(page, admin);
      await open(page, `/organizations/${org.slug}/edit`, `Edit ${org.name}`);
      await page.getByLabel("Description").fill(`Typed ${tag}`);
      assert.equal((await call("PATCH", `/v1/organizations/${org.id}`, { token: admin.token, body: { city: "Shelbyville" } })).status, 200);
      await page.getByRole("button", { name: "Save changes" }).click();
      const orgAlert = page.locator("#org-form .form-alert .notice-error p");
      await orgAlert.waitFor();
      assert.equal((await orgAlert.textContent()).trim(), CHANGED);
      assert.equal(await page.getByLabel("Description").inputValue(), `Typed ${tag}`);
      assert.equal((await call("GET", `/v1/organizations/${org.id}`)).body.description, null);

      // The profile, saved in another tab meanwhile.
      await open(page, "/me", "My profile");
      await page.getByLabel("Pronouns").fill("they/them");
      assert.equal((await call("PATCH", "/v1/me", { token: admin.token, body: { bio: "Saved elsewhere" } })).status, 200);
      const saved = page.locator("#flash", { hasText: "Your profile was saved." });
      await page.getByRole("button", { name: "Save profile" }).click();
      const meAlert = page.locator("#profile-form .form-alert .notice-error p");
      await meAlert.waitFor();
      assert.equal((await meAlert.textContent()).trim(), CHANGED);
      assert.equal(await page.getByLabel("Pronouns").inputValue(), "they/them");
      await page.locator("#reload-changed").click();
      await page.locator("#draft-restored").waitFor();
      assert.equal(await page.getByLabel("Bio").inputValue(), "Saved elsewhere");
      assert.equal(await page.getByLabel("Pronouns").inputValue(), "they/them");
      await page.getByRole("button", { name: "Save profile" }).click();
      await saved.waitFor();
      const me = (await call("GET", "/v1/me", { token: admin.token })).body;
      assert.equal(me.bio, "Saved elsewhere");
      assert.equal(me.pronouns, "they/them");
      // A second save on the same page uses the version the first one left.
      await page.evaluate(() => document.getElementById("flash").replaceChildren());
      await page.getByLabel("Pronouns").fill("she/they");
      await page.getByRole("button", { name: "Save profile" }).click();
      await saved.waitFor();
      assert.equal(await page.locator("#profile-form .form-alert").textContent(), "");
      assert.equal((await call("GET", "/v1/me", { token: admin.token })).body.pronouns, "she/they");
      assert.deepEqual(unexpected(errors, [412]), []);
    } finally {
      await page.context().close();
    }
  });
});
