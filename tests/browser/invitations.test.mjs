// Invitations through the real UI: search the directory, select, send, and the result for
// each member (invited, not accepting, already invited, not found); the 24-hour cap (429);
// the recipient's side from a notification: accept (onto the waitlist), decline, report
// spam.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { collectErrors, DESKTOP, launch, newPage, PHONE } from "./lib.mjs";
import { assertNoOverflow, call, checkA11y, logIn, member, open, organization, settled, shot, uid, unexpected } from "./app.mjs";

const HOUR = 3600_000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

async function event(who, fields = {}) {
  const r = await call("POST", "/v1/events", {
    token: who.token,
    body: { title: `Invite event ${uid()}`, kind: "social", timezone: "UTC", starts_at: iso(Date.now() + 48 * HOUR), ends_at: iso(Date.now() + 50 * HOUR), ...fields },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

async function join(org, admin, m) {
  assert.equal((await call("POST", `/v1/organizations/${org.id}/members`, { token: m.token })).status, 201);
  assert.equal((await call("PATCH", `/v1/organizations/${org.id}/members/${m.id}`, { token: admin.token, body: { status: "active" } })).status, 200);
}

describe("invitation journeys", { timeout: 90_000 }, () => {
  let browser;
  const tag = uid();
  let sender;
  let ana;
  let ben;
  let cy;
  let dee;
  let org;

  before(async () => {
    browser = await launch();
    [sender, ana, ben, cy, dee] = await Promise.all([
      member({ name: `Sender ${tag}` }),
      member({ name: `Invitee Ana ${tag}` }),
      member({ name: `Invitee Ben ${tag}`, profile: { invitations: "nobody" } }),
      member({ name: `Invitee Cy ${tag}` }),
      member({ name: `Invitee Dee ${tag}` }),
    ]);
    org = await organization(sender);
    await Promise.all([join(org, sender, ana), join(org, sender, cy), join(org, sender, dee)]);
  });
  after(async () => {
    await browser?.close();
  });

  test("search, select, send and the result for each member; then accept, decline and report", async () => {
    const ev = await event(sender, { title: `Harbour social ${tag}`, capacity: 1 });
    const other = await event(sender, { title: `Second social ${tag}` });
    const third = await event(sender, { title: `Third social ${tag}` });
    // The only place is taken, so accepting puts Ana on the waitlist.
    assert.equal((await call("PUT", `/v1/events/${ev.id}/rsvp`, { token: sender.token, body: { response: "going" } })).status, 200);
    // Cy was invited already.
    assert.deepEqual((await call("POST", `/v1/events/${ev.id}/invitations`, { token: sender.token, body: { member_ids: [cy.id] } })).body.results, [{ member_id: cy.id, result: "invited" }]);
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await logIn(page, sender);
      await open(page, `/events/${ev.id}`, ev.title);
      await page.getByRole("link", { name: "Invite members" }).click();
      await settled(page, `Invite members to ${ev.title}`);
      await page.getByLabel("Name or keyword").fill(`Invitee ${tag}`);
      await page.getByRole("button", { name: "Search" }).click();
      const results = page.locator("#search-results li");
      await results.nth(3).waitFor();
      for (const m of [ana, ben, cy, dee]) await page.getByRole("checkbox", { name: m.name }).check();
      await page.locator("#selected-count", { hasText: "4 selected" }).waitFor();
      await checkA11y(page, "invite (selected)");
      await shot(page, "invite-selected-desktop");
      // Dee deletes her account before the invitations go out.
      assert.equal((await call("DELETE", "/v1/me", { token: dee.token })).status, 204);
      await page.getByRole("button", { name: "Send invitations" }).click();
      await page.locator("#invite-result-list li").nth(3).waitFor();
      const text = async (m) => page.locator(`#invite-result-list li[data-member="${m.id}"]`).textContent();
      assert.match(await text(ana), /Invited\./);
      assert.match(await text(ben), /Not accepting invitations from you/);
      assert.match(await text(cy), /Already invited/);
      assert.match(await text(dee), /Not found/);
      assert.match(await page.locator("#invite-results").textContent(), /1 invited; you can send \d+ more/);
      await checkA11y(page, "invite results");
      await shot(page, "invite-results-desktop");
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await page.context().close();
    }
    for (const e of [other, third]) {
      assert.equal((await call("POST", `/v1/events/${e.id}/invitations`, { token: sender.token, body: { member_ids: [ana.id] } })).status, 200);
    }

    // Ana, on a phone: from the notification to her invitations.
    const phone = await newPage(browser, PHONE);
    const phoneErrors = collectErrors(phone);
    try {
      await logIn(phone, ana);
      await open(phone, "/notifications", "Notifications");
      const note = phone.locator("#notification-list li", { hasText: ev.title });
      await note.getByRole("link", { name: "Open" }).click();
      await settled(phone, "My invitations");
      const card = (e) => phone.locator("#invitation-list li", { hasText: e.title });
      await card(ev).waitFor();
      assert.match(await card(ev).textContent(), /you both belong to/);
      await checkA11y(phone, "my invitations (phone)");
      await assertNoOverflow(phone, "my invitations (phone)");
      await shot(phone, "invitations-phone");
      await card(ev).getByRole("button", { name: `Accept the invitation to ${ev.title}` }).click();
      await card(ev).locator(".invitation-status", { hasText: "number 1 on the waitlist" }).waitFor();
      await card(other).getByRole("button", { name: `Decline the invitation to ${other.title}` }).click();
      await card(other).locator(".invitation-status", { hasText: "Declined" }).waitFor();
      await card(third).getByRole("button", { name: `Report spam: the invitation to ${third.title}` }).click();
      await phone.getByRole("dialog").getByRole("button", { name: "Report spam" }).click();
      await card(third).locator(".invitation-status", { hasText: "Reported as spam" }).waitFor();
      await shot(phone, "invitations-answered-phone");
      const mine = (await call("GET", "/v1/me/invitations", { token: ana.token })).body.data;
      assert.deepEqual(
        Object.fromEntries(mine.map((i) => [i.event.id, i.status])),
        { [ev.id]: "accepted", [other.id]: "declined", [third.id]: "reported_spam" },
      );
      assert.deepEqual(unexpected(phoneErrors), []);
    } finally {
      await phone.context().close();
    }
  });

  test("the 24-hour cap: nothing is sent and the page says why", async (t) => {
    if (!process.env.DATABASE_URL) {
      t.skip("needs DATABASE_URL to fill the sender's daily quota");
      return;
    }
    const busy = await member({ name: `Busy sender ${tag}` });
    await join(org, sender, busy);
    // 200 invitations in the last 24 hours, to past events nobody lists.
    const sql = `WITH ev AS (INSERT INTO events (title, kind, starts_at, ends_at, timezone, created_by, status, cancelled_at)
      SELECT 'quota ' || g, 'social', timestamptz '2001-01-01' + g * interval '1 day', timestamptz '2001-01-01' + g * interval '1 day' + interval '1 hour', 'UTC', ${busy.id}, 'cancelled', now()
      FROM generate_series(1, 200) g RETURNING id)
      INSERT INTO invitations (event_id, sender_id, recipient_id, reason) SELECT id, ${busy.id}, ${cy.id}, 'test quota' FROM ev`;
    await promisify(execFile)("psql", [process.env.DATABASE_URL, "-qAtc", sql]);
    const ev = await event(busy, { title: `Capped social ${tag}` });
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await logIn(page, busy);
      await open(page, `/events/${ev.id}/invite`, "Invite members");
      await page.getByLabel("Name or keyword").fill(`Invitee Ana ${tag}`);
      await page.getByRole("button", { name: "Search" }).click();
      await page.getByRole("checkbox", { name: ana.name }).check();
      await page.getByRole("button", { name: "Send invitations" }).click();
      const cap = page.locator("#invite-cap");
      await cap.waitFor();
      assert.match(await cap.textContent(), /Daily invitation limit reached.*nothing was sent.*Try again in \d+ seconds/s);
      await checkA11y(page, "invite cap");
      await shot(page, "invite-cap-desktop");
      const sent = (await call("GET", "/v1/me/invitations", { token: ana.token })).body.data.filter((i) => i.event.id === ev.id);
      assert.equal(sent.length, 0);
      assert.deepEqual(unexpected(errors, [429]), []);
    } finally {
      await page.context().close();
    }
  });
});
