// My profile: about fields, skills, mentoring (with a dotted field error), privacy,
// password, sessions, personal access tokens, export, and deleting the account (with the
// API's 409 shown first).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { collectErrors, DESKTOP, launch, newPage, PHONE } from "./lib.mjs";
import { assertNoOverflow, call, checkA11y, logIn, member, open, organization, PASSWORD, settled, shot, unexpected } from "./app.mjs";

describe("profile journeys", { timeout: 180_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test("edit about, skills and mentoring; a bad capacity is shown next to its field", async () => {
    const m = await member();
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await logIn(page, m);
      await open(page, "/me", "My profile");
      await page.getByLabel("Pronouns").fill("they/them");
      await page.getByLabel("City").fill("Riverside");
      await page.getByLabel("Job title").fill("Metadata Librarian");
      await page.getByLabel("Bio").fill("I like <b>tags</b> & linked data.");
      await page.getByLabel("Skills").fill("metadata, RDA, metadata");
      await page.getByLabel("Interests").fill("linked data");
      await page.getByLabel("I am available as a mentor").check();
      await page.getByLabel("Topics").fill("cataloguing, career change");
      await page.getByLabel("How many mentees at once").fill("11");
      await page.getByRole("button", { name: "Save profile" }).click();
      const capError = page.locator('[data-field="mentoring.capacity"] .field-error');
      await capError.waitFor();
      assert.match(await capError.textContent(), /0 to 10/);
      await checkA11y(page, "profile with a field error");

      await page.getByLabel("How many mentees at once").fill("2");
      await page.getByRole("button", { name: "Save profile" }).click();
      await page.locator("#flash", { hasText: "profile was saved" }).waitFor();
      assert.equal(await capError.count(), 0, "error cleared");
      const me = (await call("GET", "/v1/me", { token: m.token })).body;
      assert.equal(me.pronouns, "they/them");
      assert.equal(me.bio, "I like <b>tags</b> & linked data.");
      assert.deepEqual(me.skills, ["metadata", "RDA"]);
      assert.deepEqual(me.mentoring, { available: true, topics: ["cataloguing", "career change"], capacity: 2 });
      await shot(page, "profile-desktop");

      // The public profile renders user text as text, never as markup.
      await page.getByRole("link", { name: "See my public profile" }).click();
      await settled(page, m.name);
      assert.equal(await page.locator("#view b").count(), 0, "no HTML from API strings");
      assert.match(await page.locator(".bio").textContent(), /<b>tags<\/b>/);
      await checkA11y(page, "own member page");
      assert.deepEqual(unexpected(errors, [400]), []);
    } finally {
      await page.context().close();
    }
  });

  test("privacy: visibility per group and invitation consent", async () => {
    const m = await member();
    const page = await newPage(browser, PHONE);
    const errors = collectErrors(page);
    try {
      await logIn(page, m);
      await open(page, "/me/privacy", "Privacy");
      const about = page.getByRole("group", { name: /About you/ });
      assert.equal(await about.getByLabel(/Members/).isChecked(), true, "default: members");
      await about.getByLabel(/Everyone/).check();
      await page.getByRole("group", { name: /mentoring offer/ }).getByLabel(/Only me/).check();
      const invites = page.getByRole("group", { name: /invite you/ });
      assert.equal(await invites.getByLabel(/People in my organizations/).isChecked(), true);
      assert.match(await invites.textContent(), /went to an event with/);
      await invites.getByLabel(/Nobody/).check();
      await page.getByRole("button", { name: "Save privacy settings" }).click();
      await page.locator("#flash", { hasText: "privacy settings were saved" }).waitFor();
      const me = (await call("GET", "/v1/me", { token: m.token })).body;
      assert.deepEqual(me.visibility, { about: "public", affiliations: "members", mentoring: "private" });
      assert.equal(me.invitations, "nobody");
      await assertNoOverflow(page, "privacy (phone)");
      await checkA11y(page, "privacy (phone)");
      await shot(page, "privacy-phone");
      await open(page, "/me", "My profile");
      await assertNoOverflow(page, "profile (phone)");
      await shot(page, "profile-phone");
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await page.context().close();
    }
  });

  test("security: password, sessions and personal access tokens", async () => {
    const m = await member();
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await logIn(page, m);
      await open(page, "/me/security", "Security");
      // Wrong current password: 403 naming the field.
      await page.getByLabel("Current password").fill("definitely wrong");
      await page.getByLabel(/^New password/).fill("a brand new passphrase");
      await page.getByLabel("Repeat the new password").fill("a brand new passphrase");
      await page.getByRole("button", { name: "Change password" }).click();
      await page.locator('[data-field="current_password"] .field-error').waitFor();

      await page.getByLabel("Current password").fill(PASSWORD);
      await page.getByLabel(/^New password/).fill("a brand new passphrase");
      await page.getByLabel("Repeat the new password").fill("a brand new passphrase");
      await page.getByRole("button", { name: "Change password" }).click();
      await page.locator("#flash", { hasText: "password was changed" }).waitFor();
      assert.equal((await call("GET", "/v1/me", { token: m.token })).status, 401, "the other session was revoked");
      const again = await call("POST", "/v1/sessions", { body: { email: m.email, password: "a brand new passphrase" } });
      assert.equal(again.status, 201);

      // The new session appears after a reload; revoke it from the list.
      await page.reload();
      await settled(page, "Security");
      const rows = page.locator("#session-list > li");
      assert.equal(await rows.count(), 2);
      await page.locator("#session-list .pill", { hasText: "This session" }).waitFor();
      await rows.filter({ hasNotText: "This session" }).getByRole("button", { name: /Revoke session/ }).click();
      await page.locator("#flash", { hasText: "session was revoked" }).waitFor();
      // The list re-renders after the message: wait for it, never race it.
      await rows.nth(1).waitFor({ state: "detached" });
      assert.equal(await rows.count(), 1);
      assert.equal((await call("GET", "/v1/me", { token: again.body.token })).status, 401);

      // Create a token: shown once, and it works.
      await page.getByLabel("Token name").fill("backup script");
      await page.getByLabel("Access", { exact: true }).selectOption("write");
      await page.getByLabel("Expires after (days)").fill("30");
      await page.getByRole("button", { name: "Create token" }).click();
      const tokenInput = page.locator("#new-token");
      await tokenInput.waitFor();
      const pat = await tokenInput.inputValue();
      assert.match(pat, /^[A-Za-z0-9_-]{43}$/);
      assert.equal((await call("GET", "/v1/me", { token: pat })).status, 200);
      await page.locator("#token-list li", { hasText: "backup script" }).waitFor();
      assert.match(await page.locator("#token-list").textContent(), /Read and write/);
      await checkA11y(page, "security");
      await shot(page, "security-desktop");

      await page.getByRole("button", { name: "Revoke token backup script" }).click();
      const dialog = page.getByRole("dialog", { name: "Revoke this token?" });
      await dialog.waitFor();
      await checkA11y(page, "revoke dialog");
      await dialog.getByRole("button", { name: "Revoke token" }).click();
      // The message of this step, not the earlier "The session was revoked."
      await page.locator("#flash", { hasText: "The token \u201cbackup script\u201d was revoked." }).waitFor();
      assert.equal((await call("GET", "/v1/me", { token: pat })).status, 401);
      await page.locator("#token-list li", { hasText: "backup script" }).waitFor({ state: "detached" });
      assert.deepEqual(unexpected(errors, [403]), []);
    } finally {
      await page.context().close();
    }
  });

  test("export my data, then delete the account (409 first while last admin)", async () => {
    const m = await member();
    const org = await organization(m);
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await logIn(page, m);
      await open(page, "/me/data", "Your data");
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: /Download my data/ }).click()]);
      assert.match(download.suggestedFilename(), /^interlibrary-export-\d{4}-\d{2}-\d{2}\.json$/);
      const data = JSON.parse(await readFile(await download.path(), "utf8"));
      assert.equal(data.profile.email, m.email);
      assert.equal(data.memberships[0].organization.slug, org.slug);
      await checkA11y(page, "your data");
      await shot(page, "data-desktop");

      await page.getByLabel("Type your email to confirm").fill(m.email);
      await page.getByRole("button", { name: "Delete my account" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Delete my account" }).click();
      const alert = page.locator("#delete-form .form-alert");
      await alert.locator(".notice").waitFor();
      assert.match(await alert.textContent(), new RegExp(`last admin of ${org.name}`));
      await shot(page, "delete-409-desktop");

      assert.equal((await call("DELETE", `/v1/organizations/${org.id}`, { token: m.token })).status, 204);
      await page.getByRole("button", { name: "Delete my account" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Delete my account" }).click();
      await settled(page, "Bringing");
      assert.match(await page.locator("#flash").textContent(), /account was deleted/);
      assert.equal((await call("POST", "/v1/sessions", { body: { email: m.email, password: m.password } })).status, 401);
      assert.deepEqual(unexpected(errors, [409]), []);
    } finally {
      await page.context().close();
    }
  });
});
