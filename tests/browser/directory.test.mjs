// The member directory: search and filters, a field error from the API, keyset "Load
// more", the progress indicator on a slow request, member profiles, and suspending a
// member as a site admin.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { collectErrors, DESKTOP, launch, newPage, PHONE } from "./lib.mjs";
import { API, assertNoOverflow, inBatches, call, checkA11y, logIn, makeSiteAdmin, member, open, organization, settled, shot, uid, unexpected } from "./app.mjs";

describe("directory journeys", { timeout: 90_000 }, () => {
  let browser;
  const tag = uid();
  const skill = `skill-${tag}`;
  let viewer;
  let mentor;
  let hidden;
  let org;
  let crowd = [];

  before(async () => {
    browser = await launch();
    viewer = await member({ name: `Viewer ${tag}` });
    mentor = await member({
      name: `Mentor ${tag}`,
      profile: { city: `Town${tag}`, skills: [skill], title: "Mentor of many", mentoring: { available: true, topics: ["metadata"], capacity: 2 } },
    });
    hidden = await member({ name: `Hidden ${tag}`, profile: { skills: [skill], visibility: { about: "private" } } });
    org = await organization(mentor, { name: `Dir Library ${tag}` });
    // 21 more members with a shared interest, for "Load more" (pages of 20).
    crowd = await inBatches(21, 4, (i) =>
      member({ name: `Crowd ${String(i).padStart(2, "0")} ${tag}`, profile: { interests: [`crowd-${tag}`], skills: i === 0 ? [skill] : [] } }),
    );
  });
  after(async () => {
    await browser?.close();
  });

  test("search, filters, load more and a member's profile", async () => {
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await logIn(page, viewer);
      await page.getByRole("link", { name: "Members" }).first().click();
      await settled(page, "Members");
      const results = page.locator("#member-results > li");

      await page.getByLabel("Skill", { exact: true }).fill(skill);
      await page.getByRole("button", { name: "Search" }).click();
      await page.waitForURL(/skill=/);
      await settled(page, "Members");
      const names = await results.locator(".card-title a").allTextContents();
      assert.deepEqual(names.sort(), [`Crowd 00 ${tag}`, `Mentor ${tag}`].sort(), "a private about group is never matched");
      assert.equal(await page.getByLabel("Skill", { exact: true }).inputValue(), skill, "filters kept in the form");

      await page.getByLabel("Mentors only").check();
      await page.getByRole("button", { name: "Search" }).click();
      await page.waitForURL(/mentoring=available/);
      await settled(page, "Members");
      assert.deepEqual(await results.locator(".card-title a").allTextContents(), [`Mentor ${tag}`]);

      await open(page, `/members?organization=${org.slug}`, "Members");
      assert.equal(await page.getByLabel("Organization", { exact: true }).inputValue(), org.slug);
      assert.deepEqual(await results.locator(".card-title a").allTextContents(), [`Mentor ${tag}`]);
      await open(page, `/members?city=town${tag}`, "Members");
      assert.equal(await results.count(), 1);
      await open(page, `/members?q=${encodeURIComponent(`Hidden ${tag}`)}`, "Members");
      assert.equal(await results.count(), 1, "the name is always visible to members");

      // An API validation error lands next to the search field.
      await open(page, "/members?q=%21%21%21", "Members");
      await page.locator('[data-field="q"] .field-error').waitFor();
      await checkA11y(page, "directory with a field error");

      // Keyset pagination.
      await open(page, `/members?interest=crowd-${tag}`, "Members");
      assert.equal(await results.count(), 20);
      await shot(page, "directory-desktop");
      await checkA11y(page, "directory");
      const more = page.getByRole("button", { name: "Load more members" });
      await more.click();
      await page.locator("#member-results > li").nth(20).waitFor();
      assert.equal(await results.count(), 21);
      assert.equal(await more.isVisible(), false, "no more pages");
      assert.equal(await page.evaluate(() => document.activeElement.textContent), `Crowd 20 ${tag}`, "focus on the first new result");

      // The profile page.
      await open(page, `/members?skill=${skill}&mentoring=available`, "Members");
      await page.getByRole("link", { name: `Mentor ${tag}` }).click();
      await settled(page, `Mentor ${tag}`);
      const view = page.locator("#view");
      assert.match(await view.textContent(), /Mentor of many/);
      assert.match(await view.textContent(), /Available as a mentor, for up to 2 mentees/);
      await view.getByRole("link", { name: org.name }).waitFor();
      assert.equal(await page.locator("#suspend").count(), 0, "no admin tools for members");
      await checkA11y(page, "member profile");
      await shot(page, "member-desktop");
      assert.deepEqual(unexpected(errors, [400]), []);
    } finally {
      await page.context().close();
    }
  });

  test("a slow request shows the progress indicator; phone layout", async () => {
    const page = await newPage(browser, PHONE);
    const errors = collectErrors(page);
    try {
      await logIn(page, viewer);
      await page.route(`${API}/v1/members?**`, async (route) => {
        await new Promise((r) => setTimeout(r, 900));
        await route.continue();
      });
      await page.goto(`${page.url().split("#")[0]}#/members?interest=crowd-${tag}`);
      await page.waitForFunction(() => document.getElementById("main").getAttribute("aria-busy") === "true");
      await page.locator("#busy").waitFor({ state: "visible" });
      await settled(page, "Members");
      assert.equal(await page.locator("#busy").isVisible(), false, "spinner gone when done");
      await page.unroute(`${API}/v1/members?**`);
      await assertNoOverflow(page, "directory (phone)");
      await checkA11y(page, "directory (phone)");
      await shot(page, "directory-phone");
      await open(page, `/members/${mentor.id}`, `Mentor ${tag}`);
      await assertNoOverflow(page, "member (phone)");
      await shot(page, "member-phone");
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await page.context().close();
    }
  });

  test("a site admin suspends and unsuspends a member from their profile", async (t) => {
    const admin = await member({ name: `Admin ${tag}` });
    if (!(await makeSiteAdmin(admin.id))) {
      t.skip("needs DATABASE_URL and psql to make a site admin");
      return;
    }
    const target = crowd[5];
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await logIn(page, admin);
      await open(page, `/members/${target.id}`, target.name);
      await page.getByRole("button", { name: "Suspend member" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.waitFor();
      await checkA11y(page, "suspend dialog");
      await dialog.getByRole("button", { name: "Suspend" }).click();
      await page.locator("#flash", { hasText: "was suspended" }).waitFor();
      assert.match(await page.locator("#suspension-state").textContent(), /is suspended/);
      const login = await call("POST", "/v1/sessions", { body: { email: target.email, password: target.password } });
      assert.notEqual(login.status, 201, "a suspended member cannot log in");
      await shot(page, "member-admin-desktop");

      await page.getByRole("button", { name: "Lift suspension" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Lift suspension" }).click();
      await page.locator("#flash", { hasText: "was lifted" }).waitFor();
      const again = await call("POST", "/v1/sessions", { body: { email: target.email, password: target.password } });
      assert.equal(again.status, 201);
      await checkA11y(page, "member profile (admin)");
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await page.context().close();
    }
  });
});
