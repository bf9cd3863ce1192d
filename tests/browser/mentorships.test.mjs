// Mentoring through the real UI: suggestions with their reasons in words (no raw score), browse by topic,
// request (topic, message, goals), the mentor's allowed moves only (accept/decline), a
// check-in while accepted, and completing it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { collectErrors, DESKTOP, launch, newPage, PHONE } from "./lib.mjs";
import { assertNoOverflow, call, checkA11y, logIn, member, open, organization, settled, shot, uid, unexpected } from "./app.mjs";

describe("mentoring journeys", { timeout: 90_000 }, () => {
  let browser;
  const tag = uid();
  const topic = `zines${tag}`;
  let mentor;
  let mentee;

  before(async () => {
    browser = await launch();
    [mentor, mentee] = await Promise.all([
      member({ name: `Mentor ${tag}`, profile: { city: `Mentorville${tag}`, mentoring: { available: true, topics: [topic, "cataloguing"], capacity: 2 } } }),
      member({ name: `Mentee ${tag}`, profile: { city: `Mentorville${tag}`, interests: [topic] } }),
    ]);
    const org = await organization(mentor, { name: `Mentor Library ${tag}` });
    assert.equal((await call("POST", `/v1/organizations/${org.id}/members`, { token: mentee.token })).status, 201);
    assert.equal((await call("PATCH", `/v1/organizations/${org.id}/members/${mentee.id}`, { token: mentor.token, body: { status: "active" } })).status, 200);
  });
  after(async () => {
    await browser?.close();
  });

  test("suggested, requested, accepted, checked in, completed", async () => {
    const page = await newPage(browser, PHONE);
    const mentorPage = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    const mentorErrors = collectErrors(mentorPage);
    try {
      await logIn(page, mentee);
      await open(page, "/mentors", "Find a mentor");
      const suggestion = page.locator("#suggestion-list li", { hasText: mentor.name });
      await suggestion.waitFor();
      const text = await suggestion.textContent();
      assert.doesNotMatch(text, /Score/, "reasons in words, not a raw score");
      assert.match(text, new RegExp(`You both belong to Mentor Library ${tag}`));
      assert.match(text, new RegExp(`Mentors in ${topic}`));
      await assertNoOverflow(page, "mentors (phone)");
      await checkA11y(page, "mentors (phone)");
      await shot(page, "mentors-phone");
      await page.setViewportSize(DESKTOP);
      await checkA11y(page, "mentors (desktop)");
      await shot(page, "mentors-desktop");
      await page.setViewportSize(PHONE);

      await page.getByRole("textbox", { name: "Topic" }).fill(topic);
      await page.getByRole("button", { name: "Search" }).click();
      await page.waitForURL(new RegExp(`topic=${topic}`));
      await settled(page, "Find a mentor");
      assert.deepEqual(await page.locator("#mentor-results .card-title a").allTextContents(), [mentor.name]);
      await page.locator("#mentor-results").getByRole("link", { name: `Ask for mentoring: ${mentor.name}` }).click();
      await settled(page, `Ask ${mentor.name} for mentoring`);
      await page.getByLabel(/^Topic/).selectOption(topic);
      await page.getByLabel(/^Message/).fill("I run a zine club and would love advice.");
      await page.getByLabel("Goals").fill("Plan a workshop\nFind funding");
      await checkA11y(page, "mentorship request (phone)");
      await page.getByRole("button", { name: "Send request" }).click();
      await settled(page, `Mentorship: ${topic}`);
      assert.match(await page.locator("#mentorship-status").textContent(), /Requested/);
      assert.deepEqual(await page.locator("#mentorship-actions button").allTextContents(), ["Withdraw request"], "the mentee may only withdraw");
      await shot(page, "mentorship-requested-phone");
      const id = page.url().split("#/mentorships/")[1];

      // The mentor answers from their list: accept or decline only.
      await logIn(mentorPage, mentor);
      await open(mentorPage, "/mentorships?role=mentor", "My mentorships");
      await mentorPage.locator("#mentorship-list a", { hasText: topic }).click();
      await settled(mentorPage, `Mentorship: ${topic}`);
      assert.deepEqual((await mentorPage.locator("#mentorship-actions button").allTextContents()).sort(), ["Accept", "Decline"]);
      await mentorPage.getByRole("button", { name: "Accept" }).click();
      await mentorPage.locator("#mentorship-status", { hasText: "Accepted" }).waitFor();
      assert.deepEqual((await mentorPage.locator("#mentorship-actions button").allTextContents()).sort(), ["Cancel mentorship", "Mark as completed"]);
      await mentorPage.getByLabel(/^Note/).fill("First call: picked a date for the workshop.");
      await mentorPage.getByRole("checkbox", { name: "Plan a workshop" }).check();
      await mentorPage.getByRole("button", { name: "Add check-in" }).click();
      await mentorPage.locator("#check-in-list li", { hasText: "picked a date" }).waitFor();
      await checkA11y(mentorPage, "mentorship (accepted, mentor)");
      await shot(mentorPage, "mentorship-accepted-desktop");
      const checkIns = (await call("GET", `/v1/mentorships/${id}/check-ins`, { token: mentee.token })).body.data;
      assert.deepEqual(checkIns.map((c) => c.goals), [["Plan a workshop"]]);

      // The mentee completes it.
      await page.reload();
      await settled(page, `Mentorship: ${topic}`);
      await page.locator("#check-in-list li", { hasText: "picked a date" }).waitFor();
      await page.getByRole("button", { name: "Mark as completed" }).click();
      await page.locator("#mentorship-status", { hasText: "Completed" }).waitFor();
      await page.locator("#no-moves").waitFor();
      assert.equal(await page.locator("#check-in-form").count(), 0, "no check-ins once completed");
      await page.getByRole("button", { name: "Share in the community activity" }).click();
      await page.getByRole("button", { name: "Stop sharing in the community activity" }).waitFor();
      await checkA11y(page, "mentorship (completed, phone)");
      await shot(page, "mentorship-completed-phone");
      assert.deepEqual(unexpected(errors), []);
      assert.deepEqual(unexpected(mentorErrors), []);
    } finally {
      await page.context().close();
      await mentorPage.context().close();
    }
  });
});
