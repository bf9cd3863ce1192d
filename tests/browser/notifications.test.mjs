// Notifications: the unread count in the header, unread first, mark one read, open its
// subject, mark all read.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { collectErrors, DESKTOP, launch, newPage, PHONE } from "./lib.mjs";
import { assertNoOverflow, call, checkA11y, logIn, member, open, organization, settled, shot, uid, unexpected } from "./app.mjs";

describe("notification journeys", { timeout: 180_000 }, () => {
  let browser;
  const tag = uid();
  let admin;
  let org;
  let joiners;

  before(async () => {
    browser = await launch();
    admin = await member({ name: `Notified ${tag}` });
    org = await organization(admin, { name: `Notice Library ${tag}` });
    joiners = await Promise.all([member({ name: `Asker A ${tag}` }), member({ name: `Asker B ${tag}` }), member({ name: `Asker C ${tag}` })]);
    for (const j of joiners) {
      assert.equal((await call("POST", `/v1/organizations/${org.id}/members`, { token: j.token })).status, 201);
    }
  });
  after(async () => {
    await browser?.close();
  });

  test("unread count, mark read, open the subject, mark all read", async () => {
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      // One notification is read already, so the list shows unread first.
      const all = (await call("GET", "/v1/me/notifications", { token: admin.token })).body.data;
      assert.equal(all.length, 3);
      const oldest = all[all.length - 1];
      assert.equal((await call("PATCH", `/v1/me/notifications/${oldest.id}`, { token: admin.token, body: { read: true } })).status, 200);

      await logIn(page, admin);
      const navLink = page.locator("#nav-notifications");
      await navLink.locator(".badge", { hasText: "2" }).waitFor();
      assert.match(await navLink.textContent(), /2 unread/);
      await navLink.click();
      await settled(page, "Notifications");
      const items = page.locator("#notification-list > li");
      assert.equal(await items.count(), 3);
      const states = await items.evaluateAll((lis) => lis.map((li) => li.classList.contains("unread")));
      assert.deepEqual(states, [true, true, false], "unread first");
      assert.match(await items.first().textContent(), /asked to join/);
      await checkA11y(page, "notifications");
      await shot(page, "notifications-desktop");

      await items.first().getByRole("button", { name: /Mark as read/ }).click();
      await page.locator("#flash", { hasText: "marked as read" }).waitFor();
      await navLink.locator(".badge", { hasText: "1" }).waitFor();
      const unread = (await call("GET", "/v1/me/notifications?unread=true", { token: admin.token })).body.data;
      assert.equal(unread.length, 1);

      await page.getByRole("button", { name: "Mark all as read" }).click();
      await page.locator("#flash", { hasText: "Marked 1 notification as read" }).waitFor();
      // The page re-renders after the message: wait for the state, never race it.
      await navLink.locator(".badge").waitFor({ state: "detached" });
      await page.locator("#notification-list > li.unread").first().waitFor({ state: "detached" });
      assert.equal((await call("GET", "/v1/me/notifications?unread=true", { token: admin.token })).body.data.length, 0);

      await items.first().getByRole("link", { name: "Open" }).click();
      await settled(page, org.name);
      await page.locator("#pending-list > li").nth(2).waitFor();
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await page.context().close();
    }
  });

  test("a member sees their approval on a phone", async () => {
    const j = joiners[0];
    assert.equal((await call("PATCH", `/v1/organizations/${org.id}/members/${j.id}`, { token: admin.token, body: { status: "active" } })).status, 200);
    const page = await newPage(browser, PHONE);
    const errors = collectErrors(page);
    try {
      await logIn(page, j);
      await page.locator("#nav-notifications .badge", { hasText: "1" }).waitFor({ state: "attached" });
      await page.getByRole("button", { name: "Menu" }).click();
      await page.locator("#nav-notifications").click();
      await settled(page, "Notifications");
      assert.match(await page.locator("#notification-list").textContent(), new RegExp(org.name));
      await assertNoOverflow(page, "notifications (phone)");
      await checkA11y(page, "notifications (phone)");
      await shot(page, "notifications-phone");
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await page.context().close();
    }
  });
});
