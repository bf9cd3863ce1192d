// Organizations: browse with filters (also anonymously), create (with a field error
// first), edit, ask to join (pending), and the admin's approvals: approve, decline,
// promote and demote.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { collectErrors, DESKTOP, launch, newPage, PHONE } from "./lib.mjs";
import { assertNoOverflow, call, checkA11y, logIn, member, open, organization, settled, shot, uid, unexpected } from "./app.mjs";

describe("organization journeys", { timeout: 180_000 }, () => {
  let browser;
  const tag = uid();
  let admin;
  let joiner;
  let other;

  before(async () => {
    browser = await launch();
    [admin, joiner, other] = await Promise.all([
      member({ name: `Org Admin ${tag}` }),
      member({ name: `Joiner ${tag}` }),
      member({ name: `Other ${tag}` }),
    ]);
  });
  after(async () => {
    await browser?.close();
  });

  test("create (website error first), edit, then approve, promote, demote and decline", async () => {
    const adminPage = await newPage(browser, DESKTOP);
    const joinerPage = await newPage(browser, DESKTOP);
    const errors = collectErrors(adminPage);
    const joinerErrors = collectErrors(joinerPage);
    try {
      await logIn(adminPage, admin);
      await adminPage.getByRole("link", { name: "Organizations" }).first().click();
      await settled(adminPage, "Organizations");
      await adminPage.getByRole("link", { name: "Create an organization" }).click();
      await settled(adminPage, "Create an organization");
      const name = `Harbor Library ${tag}`;
      await adminPage.getByLabel(/^Name( \*)?$/).fill(name);
      await adminPage.getByLabel("Kind").selectOption("academic_library");
      await adminPage.getByLabel("City").fill("Harbor City");
      await adminPage.getByLabel("Website").fill("ftp://harbor.example");
      await adminPage.getByLabel("Description").fill("By the sea.");
      await adminPage.getByRole("button", { name: "Create organization" }).click();
      await adminPage.locator('[data-field="website"] .field-error').waitFor();
      await checkA11y(adminPage, "organization form with an error");
      await shot(adminPage, "org-form-error-desktop");
      await adminPage.getByLabel("Website").fill("https://harbor.example");
      await adminPage.getByRole("button", { name: "Create organization" }).click();
      await settled(adminPage, name);
      const slug = adminPage.url().split("#/organizations/")[1];
      assert.match(await adminPage.locator("#membership-state").textContent(), /admin/);
      assert.match(await adminPage.locator("#flash").textContent(), /You are its admin/);

      // Edit.
      await adminPage.getByRole("link", { name: "Edit organization" }).click();
      await settled(adminPage, `Edit ${name}`);
      await adminPage.getByLabel("Description").fill("By the sea, since 1901.");
      await adminPage.getByRole("button", { name: "Save changes" }).click();
      await adminPage.waitForURL((u) => u.hash === `#/organizations/${slug}`);
      await settled(adminPage, name);
      assert.match(await adminPage.locator("#view").textContent(), /since 1901/);

      // Someone asks to join through the UI: pending.
      await logIn(joinerPage, joiner);
      await open(joinerPage, `/organizations/${slug}`, name);
      await joinerPage.getByRole("button", { name: "Ask to join" }).click();
      await joinerPage.locator("#membership-state", { hasText: "waiting for an admin" }).waitFor();
      assert.equal(await joinerPage.locator("#pending-list").count(), 0, "members do not see requests");
      await checkA11y(joinerPage, "organization (pending member)");
      await shot(joinerPage, "org-pending-desktop");
      // A second request, through the API.
      const org = (await call("GET", `/v1/organizations/${slug}`)).body;
      assert.equal((await call("POST", `/v1/organizations/${org.id}/members`, { token: other.token })).status, 201);

      // The admin approves one and declines the other.
      await adminPage.reload();
      await settled(adminPage, name);
      const pending = adminPage.locator("#pending-list > li");
      await pending.nth(1).waitFor();
      await checkA11y(adminPage, "organization (admin)");
      await shot(adminPage, "org-admin-desktop");
      await adminPage.getByRole("button", { name: `Approve ${joiner.name}` }).click();
      await adminPage.locator("#flash", { hasText: `${joiner.name} is now a member` }).waitFor();
      await adminPage.locator("#member-list li", { hasText: joiner.name }).waitFor();
      await pending.nth(1).waitFor({ state: "detached" });
      assert.equal(await pending.count(), 1);
      await adminPage.getByRole("button", { name: `Decline ${other.name}` }).click();
      await adminPage.locator("#flash", { hasText: "was declined" }).waitFor();
      await pending.first().waitFor({ state: "detached" });
      const members = (await call("GET", `/v1/organizations/${org.id}/members`, { token: admin.token })).body.data;
      assert.deepEqual(members.map((x) => [x.member.id, x.status]).sort(), [[admin.id, "active"], [joiner.id, "active"]].sort());

      await adminPage.getByRole("button", { name: `Make admin: ${joiner.name}` }).click();
      await adminPage.locator("#flash", { hasText: "is now an admin" }).waitFor();
      await adminPage.locator("#member-list li", { hasText: joiner.name }).locator(".pill", { hasText: "Admin" }).waitFor();
      await adminPage.getByRole("button", { name: new RegExp(`Make member: ${joiner.name}`) }).click();
      await adminPage.locator("#flash", { hasText: "is no longer an admin" }).waitFor();
      const role = (await call("GET", `/v1/organizations/${org.id}/members`, { token: admin.token })).body.data.find((x) => x.member.id === joiner.id).role;
      assert.equal(role, "member");

      // The joiner now sees they are a member.
      await joinerPage.reload();
      await settled(joinerPage, name);
      assert.match(await joinerPage.locator("#membership-state").textContent(), /You are a member/);
      assert.deepEqual(unexpected(errors, [400]), []);
      assert.deepEqual(unexpected(joinerErrors), []);
    } finally {
      await adminPage.context().close();
      await joinerPage.context().close();
    }
  });

  test("browse and filter anonymously, on a phone", async () => {
    const a = await organization(admin, { name: `Zeta School ${tag}`, kind: "school_library", city: `Zed${tag}` });
    await organization(admin, { name: `Zeta Public ${tag}`, kind: "public_library", city: `Zed${tag}` });
    const page = await newPage(browser, PHONE);
    const errors = collectErrors(page);
    try {
      await open(page, `/organizations?city=zed${tag}`, "Organizations");
      const results = page.locator("#org-results > li");
      assert.equal(await results.count(), 2);
      await page.getByLabel("Kind").selectOption("school_library");
      await page.getByRole("button", { name: "Search" }).click();
      await page.waitForURL(/kind=school_library/);
      await settled(page, "Organizations");
      assert.deepEqual(await results.locator(".card-title a").allTextContents(), [a.name]);
      await assertNoOverflow(page, "organizations (phone)");
      await checkA11y(page, "organizations (phone)");
      await shot(page, "organizations-phone");
      await page.getByRole("link", { name: a.name }).click();
      await settled(page, a.name);
      await page.getByRole("link", { name: "Log in" }).last().waitFor();
      assert.equal(await page.locator("#join").count(), 0);
      await checkA11y(page, "organization (anonymous, phone)");
      await shot(page, "organization-phone");
      await open(page, `/organizations?q=${encodeURIComponent(`Zeta ${tag}`)}`, "Organizations");
      assert.equal(await results.count(), 2);
      await page.setViewportSize({ width: 1280, height: 800 });
      await shot(page, "organizations-desktop");
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await page.context().close();
    }
  });
});
