// Register, log in, log out, and an expired session that returns to the login view
// without losing what was typed.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { collectErrors, DESKTOP, launch, newPage, PHONE } from "./lib.mjs";
import { call, checkA11y, logIn, member, open, PASSWORD, settled, shot, tokenOf, uid, unexpected, assertNoOverflow } from "./app.mjs";

describe("auth journeys", { timeout: 180_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test("register through the form, with a field error first, then log out", async () => {
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await open(page, "/", "Bringing");
      await checkA11y(page, "landing (anonymous)");
      await shot(page, "home-desktop");
      await page.getByRole("link", { name: "Register" }).first().click();
      await settled(page, "Create an account");
      const email = `reg-${uid()}@example.test`;
      await page.getByLabel("Your name").fill("Rosa Register");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill("too-short");
      await page.getByRole("button", { name: "Create account" }).click();
      // The API's 400 names the password field: the message sits next to it.
      const pwError = page.locator('[data-field="password"] .field-error');
      await pwError.waitFor();
      assert.match(await pwError.textContent(), /12/);
      assert.equal(await page.getByLabel("Password").getAttribute("aria-invalid"), "true");
      assert.ok(await page.getByLabel("Password").evaluate((el) => el === document.activeElement), "focus moved to the field in error");
      await checkA11y(page, "register with errors");
      await shot(page, "register-error-desktop");

      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Create account" }).click();
      await settled(page, "My profile");
      assert.match(await page.locator("#flash").textContent(), /Welcome to Interlibrary/);
      const token = await tokenOf(page);
      assert.match(token, /^[A-Za-z0-9_-]{43}$/, "token kept in sessionStorage");
      assert.equal(await page.evaluate(() => localStorage.length), 0, "nothing in localStorage");

      await page.locator("#logout").click();
      await settled(page, "Bringing");
      assert.match(await page.locator("#flash").textContent(), /logged out/);
      assert.equal(await tokenOf(page), null, "token cleared");
      assert.equal((await call("GET", "/v1/me", { token })).status, 401, "session revoked on the server");
      await page.getByRole("link", { name: "Log in" }).first().waitFor();
      assert.deepEqual(unexpected(errors, [400]), []);
    } finally {
      await page.context().close();
    }
  });

  test("wrong password shows the API's message; the right one logs in", async () => {
    const m = await member();
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await open(page, "/login", "Log in");
      await page.getByLabel("Email").fill(m.email);
      await page.getByLabel("Password").fill("not the password at all");
      await page.getByRole("button", { name: "Log in" }).click();
      const alert = page.locator("#login-form .form-alert");
      await alert.locator(".notice").waitFor();
      assert.ok((await alert.textContent()).length > 5, "the problem detail is shown");
      await checkA11y(page, "login with error");
      await shot(page, "login-error-desktop");
      await logIn(page, m, { route: null });
      await settled(page, "Bringing");
      assert.match(await page.locator("#view").textContent(), new RegExp(`Welcome back, ${m.name}`));
      await checkA11y(page, "landing (signed in)");
      assert.deepEqual(unexpected(errors, [401]), []);
    } finally {
      await page.context().close();
    }
  });

  test("an expired session returns to login and keeps the draft", async () => {
    const m = await member();
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await logIn(page, m);
      await open(page, "/me", "My profile");
      const bio = `Draft bio ${uid()} — typed before the session ended.`;
      await page.getByLabel("Bio").fill(bio);
      await page.getByLabel("Skills").fill("cataloguing, zines");
      // The session ends behind the app's back.
      const token = await tokenOf(page);
      assert.equal((await call("DELETE", "/v1/sessions/current", { token })).status, 204);

      await page.getByRole("button", { name: "Save profile" }).click();
      await settled(page, "Log in");
      await page.locator("#session-expired").waitFor();
      assert.match(page.url(), /#\/login\?expired=1&next=%2Fme/);
      await checkA11y(page, "login after expiry");
      await shot(page, "session-expired-desktop");

      await logIn(page, m, { route: null });
      await settled(page, "My profile");
      assert.equal(await page.getByLabel("Bio").inputValue(), bio, "the bio draft came back");
      assert.equal(await page.getByLabel("Skills").inputValue(), "cataloguing, zines");
      await page.locator("#draft-restored").waitFor();
      await page.getByRole("button", { name: "Save profile" }).click();
      await page.locator("#flash", { hasText: "saved" }).waitFor();
      const me = await call("GET", "/v1/me", { token: m.token });
      assert.equal(me.body.bio, bio);
      assert.deepEqual(me.body.skills, ["cataloguing", "zines"]);
      // Saved: the draft is gone, a fresh visit shows the saved values only.
      assert.equal(await page.evaluate(() => sessionStorage.getItem("il.draft.me-profile")), null);
      assert.deepEqual(unexpected(errors, [401]), []);
    } finally {
      await page.context().close();
    }
  });

  test("phone: the menu opens from its button and the login page fits", async () => {
    const page = await newPage(browser, PHONE);
    const errors = collectErrors(page);
    try {
      await open(page, "/", "Bringing");
      await shot(page, "home-phone");
      const toggle = page.getByRole("button", { name: "Menu" });
      assert.equal(await toggle.getAttribute("aria-expanded"), "false");
      assert.equal(await page.getByRole("link", { name: "Log in", exact: true }).first().isVisible(), true, "hero link visible");
      await toggle.click();
      assert.equal(await toggle.getAttribute("aria-expanded"), "true");
      await page.locator("#site-nav").getByRole("link", { name: "Log in" }).click();
      await settled(page, "Log in");
      assert.equal(await page.locator("#site-nav").isVisible(), false, "menu closes after navigating");
      await assertNoOverflow(page, "login on a phone");
      await checkA11y(page, "login (phone)");
      await shot(page, "login-phone");
      // Keyboard: on a fresh load the skip link is the first stop and moves focus to <main>.
      await page.reload();
      await settled(page, "Log in");
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement.textContent), "Skip to main content");
      await page.keyboard.press("Enter");
      assert.equal(await page.evaluate(() => document.activeElement.id), "main");
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await page.context().close();
    }
  });
});
