// Email through the real stack: the mail the product sends (tests/run.sh's local SMTP
// server keeps each message in $MAIL_DIR; tests/mail/lib.mjs reads them) and the web app's
// pages its links open. Registering and verifying the address from the mail; a forgotten
// password from the log-in page to logging in with the new one; the email settings; and
// unsubscribing, signed out, with the link of a real mail's footer.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { linkIn, waitForMail } from "../mail/lib.mjs";
import { collectErrors, DESKTOP, launch, newPage, PHONE } from "./lib.mjs";
import { API, WEB, assertNoOverflow, call, checkA11y, logIn, member, open, PASSWORD, settled, shot, tokenOf, uid, unexpected } from "./app.mjs";

const HOUR = 3600_000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** Run SQL on the test database (psql); null when DATABASE_URL is not set. */
async function sql(text) {
  if (!process.env.DATABASE_URL) return null;
  const { stdout } = await promisify(execFile)("psql", [process.env.DATABASE_URL, "-qAtXc", text]);
  return stdout.trim();
}

/** The newest mail to `address` whose subject starts with `subject`; waits for it. */
async function newestMail(address, subject, { count = 1 } = {}) {
  const got = await waitForMail(address, { filter: (m) => String(m.headers.Subject || "").startsWith(subject), count });
  return got[got.length - 1];
}

/** The link to the web app in the newest mail to `address` with `subject`, containing `fragment`. */
async function mailedLink(address, subject, fragment, opts) {
  const link = linkIn(await newestMail(address, subject, opts), fragment);
  assert.ok(link.startsWith(`${WEB}/#/`), `the mail links to the web app: ${link}`);
  return link;
}

/** Verify `m`'s address with the token of its verification mail (through the API). */
async function verifyByMail(m) {
  const link = await mailedLink(m.email, "Confirm your email address", "/#/verify-email/");
  const r = await call("POST", "/v1/email-verification", { body: { token: link.split("/").pop() } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

describe("email: verifying the address", { timeout: 300_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test("register in the UI, get the verification mail, open its link: verified", async () => {
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    const email = `verify-${uid()}@example.test`;
    try {
      await open(page, "/register", "Create an account");
      await page.getByLabel("Your name").fill("Vera Verify");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Create account" }).click();
      await settled(page, "My profile");

      // Not verified yet: the notice says so, with the resend button. Registration has
      // just sent a mail, so asking again now is too soon and the notice says how long.
      const notice = page.locator("#verify-notice");
      await notice.waitFor();
      assert.match(await notice.textContent(), new RegExp(`Please confirm your email address.*${email.replace(/[.]/g, "\\.")}`));
      await checkA11y(page, "profile with the verification notice");
      await shot(page, "verify-notice-desktop");
      await notice.getByRole("button", { name: "Send the verification email again" }).click();
      const resent = page.locator("#verify-notice-resend-result");
      await resent.locator(".notice").waitFor();
      assert.match(await resent.textContent(), /less than a minute ago.*You can ask again in \d+ seconds?\./);

      // "Not now" hides it for the rest of the tab's session, on every page that has it.
      await open(page, "/notifications", "Notifications");
      await notice.waitFor();
      await page.getByRole("button", { name: /^Not now/ }).click();
      assert.equal(await notice.count(), 0);
      assert.equal(await page.evaluate(() => document.activeElement.tagName), "H1", "focus goes to the page heading");
      await open(page, "/me", "My profile");
      assert.equal(await notice.count(), 0, "still hidden after navigating");

      // The mail, and its link opened in this tab.
      const link = await mailedLink(email, "Confirm your email address", "/#/verify-email/");
      assert.match(link, /\/#\/verify-email\/[A-Za-z0-9_-]{43}$/);
      await page.goto(link);
      await settled(page, "Confirm your email address");
      const result = page.locator("#verify-result");
      await result.locator(".notice-ok").waitFor();
      assert.match(await result.textContent(), new RegExp(`Your address ${email.replace(/[.]/g, "\\.")} is verified`));
      await result.getByRole("link", { name: "Choose the mail you get" }).waitFor();
      await checkA11y(page, "address verified");
      await shot(page, "verify-email-ok-desktop");
      const me = await call("GET", "/v1/me", { token: await tokenOf(page) });
      assert.equal(me.body.email_verified, true);

      await result.getByRole("link", { name: "Choose the mail you get" }).click();
      await settled(page, "Email");
      assert.match(await page.locator("#email-status").textContent(), /^Verified/);
      assert.equal(await page.getByRole("button", { name: "Send the verification email again" }).count(), 0);

      // The same link again, signed out (another browser): used, and the way to a new one.
      const other = await newPage(browser, PHONE);
      const otherErrors = collectErrors(other);
      try {
        await other.goto(link);
        await settled(other, "Confirm your email address");
        await other.locator("#verify-result .notice-error").waitFor();
        assert.match(await other.locator("#verify-result").textContent(), /This link was already used/);
        await other.getByRole("link", { name: "Log in to ask for a new link" }).waitFor();
        await assertNoOverflow(other, "verify-email on a phone");
        await checkA11y(other, "verification link already used");
        await shot(other, "verify-email-used-phone");
        assert.deepEqual(unexpected(otherErrors, [400]), []);
      } finally {
        await other.context().close();
      }
      assert.deepEqual(unexpected(errors, [429]), []);
    } finally {
      await page.context().close();
    }
  });

  test("a link cut short is not sent; a signed-in member with a bad link can ask for a new one", async () => {
    const m = await member();
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    const posted = [];
    page.on("request", (req) => {
      if (req.url().startsWith(`${API}/v1/email-verification`)) posted.push(req.url());
    });
    try {
      await logIn(page, m);
      await open(page, "/verify-email/tooShort", "Confirm your email address");
      await page.locator("#verify-result .notice-error").waitFor();
      assert.match(await page.locator("#verify-result").textContent(), /incomplete or mistyped/);
      assert.deepEqual(posted, [], "nothing was posted");
      // A well-formed token that is not one of ours: the API's detail, and the resend button.
      await open(page, `/verify-email/${"x".repeat(43)}`, "Confirm your email address");
      await page.locator("#verify-result .notice-error").waitFor();
      assert.match(await page.locator("#verify-result").textContent(), /This link is not valid: ask for a new one from your profile\./);
      await page.getByRole("button", { name: "Send the verification email again" }).click();
      await page.locator("#resend-verification-result .notice").waitFor();
      assert.match(await page.locator("#resend-verification-result").textContent(), /less than a minute ago/);
      assert.deepEqual(unexpected(errors, [400, 429]), []);
    } finally {
      await page.context().close();
    }
  });


  test("verified meanwhile in another tab: the notice and the settings say so (409)", async () => {
    const m = await member();
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await logIn(page, m);
      await open(page, "/me", "My profile");
      await page.locator("#verify-notice").waitFor();
      await open(page, "/me/email", "Email");
      assert.match(await page.locator("#email-status").textContent(), /Not verified/);
      await verifyByMail(m);
      // The settings page, opened before: the button finds the address verified.
      await page.getByRole("button", { name: "Send the verification email again" }).click();
      await page.locator("#email-status .pill-ok").waitFor();
      assert.equal(await page.evaluate(() => document.activeElement.id), "email-status", "focus on the new state");
      assert.equal(await page.getByRole("button", { name: "Send the verification email again" }).count(), 0);
      // The profile now knows it: no notice.
      await open(page, "/me", "My profile");
      assert.equal(await page.locator("#verify-notice").count(), 0);
      assert.deepEqual(unexpected(errors, [409]), []);
    } finally {
      await page.context().close();
    }
  });
});

describe("email: a forgotten password", { timeout: 300_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test("forgot password: request in the UI, the mail's link, a new password, the old session gone", async () => {
    const m = await member({ name: `Forgetful ${uid()}` });
    const NEW = "a brand new passphrase for the test";
    const signedIn = await newPage(browser, DESKTOP);
    const anon = await newPage(browser, DESKTOP);
    const errors = collectErrors(signedIn);
    const anonErrors = collectErrors(anon);
    try {
      await logIn(signedIn, m);
      const oldToken = await tokenOf(signedIn);

      // From the log-in page; the answer is the API's one neutral text, for any address.
      await open(anon, "/login", "Log in");
      await anon.getByRole("link", { name: "Forgot your password?" }).click();
      await settled(anon, "Reset your password");
      await checkA11y(anon, "reset request");
      await anon.getByRole("button", { name: "Email me a reset link" }).click();
      await anon.locator('[data-field="email"] .field-error').waitFor();
      await anon.getByLabel("Email").fill(`nobody-${uid()}@example.test`);
      await anon.getByRole("button", { name: "Email me a reset link" }).click();
      const detail = anon.locator("#reset-request-detail");
      await detail.waitFor();
      const neutral = await detail.textContent();
      const accepted = await call("POST", "/v1/password-resets", { body: { email: `nobody-${uid()}@example.test` } });
      assert.equal(neutral, accepted.body.detail, "the API's own words");
      assert.equal(await anon.evaluate(() => document.activeElement.id), "reset-request-result", "focus moves to the answer");
      await anon.getByRole("button", { name: "Use another address or send again" }).click();
      assert.equal(await anon.evaluate(() => document.activeElement.name), "email");
      await anon.getByLabel("Email").fill(m.email);
      await anon.getByRole("button", { name: "Email me a reset link" }).click();
      await detail.waitFor();
      assert.equal(await detail.textContent(), neutral, "the same text for a member's address");
      await checkA11y(anon, "reset requested");
      await shot(anon, "reset-requested-desktop");

      // The mail's link, opened in the tab that is still signed in with the old password.
      const link = await mailedLink(m.email, "Reset your Interlibrary password", "/#/reset-password/");
      assert.match(link, /\/#\/reset-password\/[A-Za-z0-9_-]{43}$/);
      await signedIn.goto(link);
      await settled(signedIn, "Choose a new password");
      const newField = signedIn.getByLabel(/^New password/);
      const repeat = signedIn.getByLabel("Repeat the new password");
      // Checked here first, with the contract's limits: too short, then not repeated.
      await newField.fill("short");
      await repeat.fill("short");
      await signedIn.getByRole("button", { name: "Set new password" }).click();
      await signedIn.locator('[data-field="password"] .field-error').waitFor();
      assert.match(await signedIn.locator('[data-field="password"] .field-error').textContent(), /at least 12 characters/);
      assert.equal(await newField.getAttribute("aria-invalid"), "true");
      await newField.fill(NEW);
      await repeat.fill(`${NEW}!`);
      await signedIn.getByRole("button", { name: "Set new password" }).click();
      await signedIn.locator('[data-field="confirm_password"] .field-error').waitFor();
      await checkA11y(signedIn, "new password with errors");
      assert.equal((await call("GET", "/v1/me", { token: oldToken })).status, 200, "nothing was sent yet");
      await repeat.fill(NEW);
      await signedIn.getByRole("button", { name: "Set new password" }).click();

      // Logged out here and everywhere; log in with the new password.
      await settled(signedIn, "Log in");
      assert.match(await signedIn.locator("#flash").textContent(), /Your password was changed.*Log in with your new password/);
      assert.equal(await tokenOf(signedIn), null, "this tab forgot its session");
      assert.equal((await call("GET", "/v1/me", { token: oldToken })).status, 401, "the browser's old session was revoked");
      assert.equal((await call("GET", "/v1/me", { token: m.token })).status, 401, "so was every other session");
      assert.equal((await call("POST", "/v1/sessions", { body: { email: m.email, password: PASSWORD } })).status, 401, "the old password is gone");
      await shot(signedIn, "reset-done-desktop");
      await logIn(signedIn, { ...m, password: NEW }, { route: null });
      await settled(signedIn, "Bringing");
      assert.match(await tokenOf(signedIn), /^[A-Za-z0-9_-]{43}$/);

      // The link worked once: now it says so, and leads to asking again.
      await anon.goto(link);
      await settled(anon, "Choose a new password");
      await anon.getByLabel(/^New password/).fill(NEW);
      await anon.getByLabel("Repeat the new password").fill(NEW);
      await anon.getByRole("button", { name: "Set new password" }).click();
      await anon.locator("#reset-invalid").waitFor();
      assert.match(await anon.locator("#reset-invalid").textContent(), /This link was already used: ask for a new one\./);
      assert.equal(await anon.evaluate(() => document.activeElement.id), "reset-result");
      await checkA11y(anon, "reset link used");
      await anon.getByRole("link", { name: "Ask for a new link" }).click();
      await settled(anon, "Reset your password");
      assert.deepEqual(unexpected(errors, [401]), []);
      assert.deepEqual(unexpected(anonErrors, [400]), []);
    } finally {
      await signedIn.context().close();
      await anon.context().close();
    }
  });

});

describe("email: preferences and unsubscribing", { timeout: 300_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test("email preferences: toggles saved, still there after a reload", async () => {
    const m = await member();
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await logIn(page, m);
      await open(page, "/me", "My profile");
      await page.locator(".subnav").getByRole("link", { name: "Email" }).click();
      await settled(page, "Email");
      assert.equal(await page.locator(".subnav a[aria-current=page]").textContent(), "Email");
      assert.match(await page.locator("#email-status").textContent(), /Not verified/);
      const invitations = page.getByRole("checkbox", { name: "Invitations to events" });
      const digest = page.getByRole("checkbox", { name: "Weekly digest" });
      assert.equal(await invitations.isChecked(), true, "invitations are on by default");
      assert.equal(await digest.isChecked(), false, "the digest is off by default");
      await checkA11y(page, "email preferences");
      await shot(page, "email-preferences-desktop");
      await invitations.uncheck();
      await digest.check();
      await page.getByRole("button", { name: "Save email preferences" }).click();
      await page.locator("#flash", { hasText: "Your email preferences were saved." }).waitFor();

      await page.reload();
      await settled(page, "Email");
      assert.equal(await invitations.isChecked(), false);
      assert.equal(await digest.isChecked(), true);
      assert.equal(await page.locator("#draft-restored").count(), 0, "the saved values, not a draft");
      const prefs = await call("GET", "/v1/me/email-preferences", { token: m.token });
      assert.equal(prefs.status, 200);
      assert.deepEqual(
        { invitations: prefs.body.invitations, digest: prefs.body.digest, reminders: prefs.body.reminders, messages: prefs.body.messages },
        { invitations: false, digest: true, reminders: true, messages: true },
      );
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await page.context().close();
    }
  });

  test("email settings: a new verification mail after a minute (202); a refused address said plainly", async (t) => {
    if (!process.env.DATABASE_URL) {
      t.skip("needs DATABASE_URL (psql) to age the first mail and to mark an address refused");
      return;
    }
    const m = await member();
    await newestMail(m.email, "Confirm your email address");
    // The registration's mail was sent over a minute ago.
    await sql(`UPDATE email_tokens SET created_at = created_at - interval '2 minutes' WHERE member_id = ${Number(m.id)}`);
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await logIn(page, m);
      await open(page, "/me/email", "Email");
      await page.getByRole("button", { name: "Send the verification email again" }).click();
      const result = page.locator("#resend-verification-result");
      await result.locator(".notice-ok").waitFor();
      assert.match(await result.textContent(), new RegExp(`Sent to ${m.email.replace(/[.]/g, "\\.")}\\. Open the link in it`));
      await result.locator("time").waitFor();
      assert.equal(await page.evaluate(() => document.activeElement.id), "resend-verification", "the button keeps the focus");
      const mails = await waitForMail(m.email, { filter: (x) => x.headers.Subject.startsWith("Confirm your email address"), count: 2 });
      assert.equal(mails.length, 2);
      await checkA11y(page, "verification mail sent again");

      // The address's mail server refused our mail for good.
      await sql(`INSERT INTO email_suppressions (address_hash, reason) VALUES (api.address_hash('${m.email}'), 'rejected') ON CONFLICT DO NOTHING`);
      await page.reload();
      await settled(page, "Email");
      await page.locator("#address-rejected").waitFor();
      assert.match(await page.locator("#address-rejected").textContent(), /refused.*sends nothing to it/);
      assert.equal(await page.getByRole("button", { name: "Send the verification email again" }).count(), 0, "no button that cannot work");
      await checkA11y(page, "address refused");
      await shot(page, "email-address-refused-desktop");
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await page.context().close();
    }
  });

  test("unsubscribe, signed out, with the footer link of a real mail", async () => {
    const [host, m] = await Promise.all([member({ name: `Host ${uid()}` }), member({ name: `Goer ${uid()}` })]);
    await verifyByMail(m);
    const ev = await call("POST", "/v1/events", {
      token: host.token,
      body: { title: `Zine fair ${uid()}`, kind: "social", timezone: "UTC", starts_at: iso(Date.now() + 48 * HOUR), ends_at: iso(Date.now() + 50 * HOUR) },
    });
    assert.equal(ev.status, 201, JSON.stringify(ev.body));
    const rsvp = await call("PUT", `/v1/events/${ev.body.id}/rsvp`, { token: m.token, body: { response: "going" } });
    assert.equal(rsvp.status, 200, JSON.stringify(rsvp.body));
    const mail = await newestMail(m.email, "You are going:");
    assert.match(mail.text, /Stop this kind of mail: /);
    const link = linkIn(mail, "/#/unsubscribe/");
    assert.match(link, new RegExp(`/#/unsubscribe/m\\.${m.id}\\.reminders\\.[0-9a-f]{32}$`));

    const page = await newPage(browser, PHONE);
    const errors = collectErrors(page);
    try {
      await page.goto(link);
      await settled(page, "Unsubscribe");
      assert.equal(await tokenOf(page), null, "signed out");
      assert.match(await page.locator("#unsubscribe-ask").textContent(), /stops RSVP confirmations and reminders to the account/);
      const confirm = page.getByRole("button", { name: "Stop reminder emails" });
      await assertNoOverflow(page, "unsubscribe on a phone");
      await checkA11y(page, "unsubscribe");
      await shot(page, "unsubscribe-phone");
      const before = await call("GET", "/v1/me/email-preferences", { token: m.token });
      assert.equal(before.body.reminders, true, "opening the page changed nothing");
      await confirm.click();
      const done = page.locator("#unsubscribe-done");
      await done.waitFor();
      assert.match(await done.textContent(), /you will get no more RSVP confirmations and reminders/);
      assert.equal(await page.evaluate(() => document.activeElement.id), "unsubscribe-result");
      await page.getByRole("link", { name: "your email settings" }).waitFor();
      await checkA11y(page, "unsubscribed");
      await shot(page, "unsubscribed-phone");
      const prefs = (await call("GET", "/v1/me/email-preferences", { token: m.token })).body;
      assert.equal(prefs.reminders, false);
      assert.equal(prefs.invitations, true, "only that kind");

      // Again: already done.
      await page.reload();
      await settled(page, "Unsubscribe");
      await page.locator("#unsubscribe-already").waitFor();
      assert.match(await page.locator("#unsubscribe-already").textContent(), /already off/);
      assert.equal(await page.getByRole("button", { name: "Stop reminder emails" }).count(), 0);

      // A forged link: the API's detail.
      const forged = link.replace(/[0-9a-f]$/, (c) => (c === "0" ? "1" : "0"));
      await page.goto(forged);
      await settled(page, "Unsubscribe");
      await page.locator("#unsubscribe-invalid").waitFor();
      assert.match(await page.locator("#unsubscribe-invalid").textContent(), /This unsubscribe link is not valid: copy the whole link from the email\./);
      await checkA11y(page, "forged unsubscribe link");
      assert.deepEqual(unexpected(errors, [404]), []);
    } finally {
      await page.context().close();
    }
  });

  test("unsubscribe an address that is no member's: never email it again", async (t) => {
    // No mail of the product goes to a non-member yet: the link is made as mail_queue makes it.
    const address = `stranger-${uid()}@example.test`;
    const token = await sql(`SELECT api.unsubscribe_token(NULL, '${address}', NULL)`);
    if (token === null) {
      t.skip("needs DATABASE_URL (psql) to make the link");
      return;
    }
    assert.match(token, /^a\.[0-9a-f]{64}\.all\.[0-9a-f]{32}$/);
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await open(page, `/unsubscribe/${token}`, "Unsubscribe");
      assert.match(await page.locator("#unsubscribe-ask").textContent(), /address that has no Interlibrary account/);
      await page.getByRole("button", { name: "Never email this address again" }).click();
      await page.locator("#unsubscribe-done").waitFor();
      assert.match(await page.locator("#unsubscribe-done").textContent(), /will never email this address again/);
      assert.equal(await page.getByRole("link", { name: "your email settings" }).count(), 0, "no settings for a non-member");
      const state = await call("GET", `/v1/unsubscribe?token=${encodeURIComponent(token)}`);
      assert.deepEqual(state.body, { scope: "address", kind: "all", unsubscribed: true });
      await checkA11y(page, "address unsubscribed");
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await page.context().close();
    }
  });
});
