// Invitations by email through the real UI and the real mail: a member invites addresses
// from the event's invite page and sees each address's result; the invitee opens the
// link of the mail the local SMTP server received, signs up from it and lands on the event,
// going; another invitee reports the invitation as unwanted.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { waitForMail } from "../mail/lib.mjs";
import { collectErrors, DESKTOP, launch, newPage, PHONE } from "./lib.mjs";
import { WEB, assertNoOverflow, call, checkA11y, logIn, member, open, PASSWORD, settled, shot, tokenOf, uid, unexpected } from "./app.mjs";

const HOUR = 3600_000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

async function invitationLink(address, ev) {
  const [m] = await waitForMail(address, { filter: (x) => x.text.includes(`/#/events/${ev.id}?invitation=`) });
  const link = m.text.split("\n").map((line) => line.trim()).find((line) => line.startsWith(`${WEB}/#/events/${ev.id}?invitation=`));
  assert.ok(link, `the mail links to the web app: ${m.text}`);
  return link;
}

describe("invitations by email", { timeout: 120_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test("invite addresses, see each result; the invitee signs up from the mail's link and is going", async () => {
    const tag = uid();
    const sender = await member({ name: `Mailing Sender ${tag}` });
    const r = await call("POST", "/v1/events", {
      token: sender.token,
      body: { title: `Book swap ${tag}`, kind: "social", timezone: "UTC", starts_at: iso(Date.now() + 48 * HOUR), ends_at: iso(Date.now() + 50 * HOUR) },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const ev = r.body;
    const guest = `guest-${tag}@example.test`;
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await logIn(page, sender);
      await open(page, `/events/${ev.id}/invite`, `Invite members to ${ev.title}`);
      const form = page.locator("#email-invite-form");
      // A typo is caught before anything is sent.
      await page.getByLabel("Email addresses").fill(`${guest}, not-an-address`);
      await form.getByRole("button", { name: "Send email invitations" }).click();
      await form.getByText("not an email address: not-an-address").waitFor();
      await page.getByLabel("Email addresses").fill(`${guest}\n${sender.email}`);
      await form.getByRole("button", { name: "Send email invitations" }).click();
      const list = page.locator("#email-result-list li");
      await list.nth(1).waitFor();
      assert.match(await list.nth(0).textContent(), new RegExp(`${guest.replace(/[.]/g, "\\.")}Invited: an email is on its way\\.`));
      assert.match(await list.nth(1).textContent(), /Not accepting invitations/);
      assert.equal(await page.evaluate(() => document.activeElement.id), "email-results-h", "focus on the results");
      await checkA11y(page, "email invitation results");
      await shot(page, "invite-email-results-desktop");
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await page.context().close();
    }

    // The invitee, signed out, on a phone: the mail's link, sign up, going.
    const link = await invitationLink(guest, ev);
    const anon = await newPage(browser, PHONE);
    const anonErrors = collectErrors(anon);
    try {
      await anon.goto(link);
      await settled(anon, ev.title);
      const panel = anon.locator("#invitation-panel");
      await panel.waitFor();
      await checkA11y(anon, "event page from an invitation link");
      await assertNoOverflow(anon, "invitation panel on a phone");
      await shot(anon, "invite-email-landing-phone");
      await panel.getByRole("link", { name: "Sign up and go" }).click();
      await settled(anon, "Create an account");
      await anon.locator("#register-invitation").waitFor();
      await anon.getByLabel("Your name").fill(`Guest Reader ${tag}`);
      await anon.getByLabel("Email").fill(guest);
      await anon.getByLabel("Password").fill(PASSWORD);
      await anon.getByRole("button", { name: "Create account" }).click();
      await settled(anon, ev.title);
      assert.equal(await anon.locator("#rsvp-state").textContent(), "You are going.");
      assert.equal(await anon.locator("#invitation-panel").count(), 0, "signed in: no invitation panel");
      const me = await call("GET", "/v1/me", { token: await tokenOf(anon) });
      assert.equal(me.body.email_verified, true, "the link proved the address");
      await checkA11y(anon, "event page after signing up from the invitation");
      // The link again, signed in: a notice, no sign-up panel.
      await anon.goto(link);
      await settled(anon, ev.title);
      await anon.locator("#invitation-notice").waitFor();
      assert.equal(await anon.locator("#invitation-panel").count(), 0);
      assert.deepEqual(unexpected(anonErrors), []);
    } finally {
      await anon.context().close();
    }
  });

  test("an invitee reports the invitation as unwanted from the link", async () => {
    const tag = uid();
    const sender = await member({ name: `Unwanted Sender ${tag}` });
    const r = await call("POST", "/v1/events", {
      token: sender.token,
      body: { title: `Cold call ${tag}`, kind: "social", timezone: "UTC", starts_at: iso(Date.now() + 48 * HOUR), ends_at: iso(Date.now() + 50 * HOUR) },
    });
    const ev = r.body;
    const guest = `unwanted-${tag}@example.test`;
    const inv = await call("POST", `/v1/events/${ev.id}/invitations`, { token: sender.token, body: { emails: [guest] } });
    assert.deepEqual(inv.body.results, [{ email: guest, result: "invited" }]);
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await page.goto(await invitationLink(guest, ev));
      await settled(page, ev.title);
      await page.getByRole("button", { name: "Report as unwanted" }).click();
      await page.locator("#invitation-report-status", { hasText: "the invitation is reported" }).waitFor();
      assert.equal(await page.getByRole("button", { name: "Report as unwanted" }).count(), 0);
      await checkA11y(page, "invitation reported");
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await page.context().close();
    }
  });
});
