// Nearby: a library typed in with its position, a home area in the profile, then "Near
// me" on the organizations, events and members lists (nearest first, distances; members
// only in bands), both members of a party seeing each other nearby, and the mentor
// suggestions near me; axe on every page, and no overflow on a phone.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { collectErrors, DESKTOP, launch, newPage, PHONE } from "./lib.mjs";
import { assertNoOverflow, call, checkA11y, logIn, member, open, organization, settled, shot, uid, unexpected } from "./app.mjs";

const at = (hours) => new Date(Date.now() + hours * 3600 * 1000).toISOString().replace(/\.\d+Z$/, "Z");

describe("nearby journeys", { timeout: 90_000 }, () => {
  let browser;
  const tag = uid();
  // A place of its own (no other test puts anything there): somewhere in the Southern Ocean.
  const base = [-50 - Math.random() * 5, 60 + Math.random() * 40];
  const near = (dLat, dLon = 0) => [Number((base[0] + dLat).toFixed(4)), Number((base[1] + dLon).toFixed(4))];
  let ana;
  let ben;
  let far;

  before(async () => {
    browser = await launch();
    [ana, ben, far] = await Promise.all([
      member({ name: `Ana Near ${tag}` }),
      member({ name: `Ben Near ${tag}`, profile: { home_latitude: near(0.02)[0], home_longitude: near(0.02)[1] } }),
      member({ name: `Cleo Far ${tag}`, profile: { home_latitude: near(0.12)[0], home_longitude: near(0.12)[1],
        mentoring: { available: true, topics: ["maps"], capacity: 2 } } }),
    ]);
    // Another library about 3.3 km north, and a party at Ana's library both go to.
    const [lat2, lon2] = near(0.03);
    await organization(far, { name: `North Branch ${tag}`, latitude: lat2, longitude: lon2 });
  });
  after(async () => {
    await browser?.close();
  });

  test("a library with its position, a home area, then Near me on organizations, events and members", async () => {
    const page = await newPage(browser, DESKTOP);
    const benPage = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    const benErrors = collectErrors(benPage);
    try {
      await logIn(page, ana);
      // The library, its position typed in.
      await open(page, "/organizations/new", "Create an organization");
      const name = `Near Library ${tag}`;
      await page.getByLabel(/^Name( \*)?$/).fill(name);
      await page.getByLabel("Kind").selectOption("public_library");
      await page.getByLabel("City").fill("Southport");
      await page.getByLabel("Latitude").fill(String(base[0].toFixed(4)));
      await checkA11y(page, "organization form with a position");
      await page.getByRole("button", { name: "Create organization" }).click();
      // Half a position: the API names the missing field, the form shows it there.
      await page.locator('[data-field="longitude"] .field-error').waitFor();
      await page.getByLabel("Longitude").fill(String(base[1].toFixed(4)));
      await page.getByRole("button", { name: "Create organization" }).click();
      await settled(page, name);

      // A party at the library, with its position; Ben is going.
      const party = await call("POST", "/v1/events", { token: ana.token, body: { title: `Map party ${tag}`, kind: "social",
        starts_at: at(30), ends_at: at(33), timezone: "UTC", venue: name, latitude: near(0.001)[0], longitude: near(0.001)[1] } });
      assert.equal(party.status, 201, JSON.stringify(party.body));
      const rsvp = await call("PUT", `/v1/events/${party.body.id}/rsvp`, { token: ben.token, body: { response: "going" } });
      assert.equal(rsvp.status, 200, JSON.stringify(rsvp.body));

      // My home area, in the profile.
      await open(page, "/me", "My profile");
      await page.getByLabel("Latitude").fill(String(near(0.004)[0]));
      await page.getByLabel("Longitude").fill(String(near(0, 0.003)[1]));
      await page.getByRole("button", { name: "Save profile" }).click();
      await page.locator("#flash", { hasText: "Your profile was saved." }).waitFor();
      const me = await call("GET", "/v1/me", { token: ana.token });
      assert.equal(me.body.home_latitude, Number(near(0.004)[0].toFixed(2)), "stored to 0.01 degree");

      // Organizations near my library: mine first (0.0 km), then the north branch.
      await open(page, "/organizations", "Organizations");
      await page.getByLabel("Near me").selectOption("my_library");
      await page.getByLabel("Distance").selectOption("20");
      await page.getByRole("button", { name: "Search" }).click();
      await page.waitForURL(/near=my_library/);
      await settled(page, "Organizations");
      const orgs = page.locator("#org-results > li");
      assert.deepEqual(await orgs.locator(".card-title a").allTextContents(), [name, `North Branch ${tag}`]);
      assert.equal(await orgs.nth(0).locator(".pill-distance").textContent(), "0.0 km away");
      assert.match(await orgs.nth(1).locator(".pill-distance").textContent(), /^3\.\d km away$/);
      assert.equal(await page.getByLabel("Near me").inputValue(), "my_library", "the filter kept in the form");
      await checkA11y(page, "organizations near me");
      await shot(page, "nearby-organizations-desktop");

      // Events near my library: one list, nearest first, with the distance.
      await open(page, "/events", "Events");
      await page.getByLabel("Near me").selectOption("my_library");
      await page.getByLabel("Distance").selectOption("10");
      await page.getByRole("button", { name: "Filter" }).click();
      await page.waitForURL(/near=my_library/);
      await settled(page, "Events");
      const evs = page.locator("#events-near > li");
      assert.equal(await evs.count(), 1);
      assert.match(await evs.first().textContent(), new RegExp(`Map party ${tag}.*0\\.\\d km away`));
      await checkA11y(page, "events near me");

      // People nearby: Ben, who was at the party, in a band; Cleo (12 km) only farther.
      await open(page, "/members?near=my_home&within_km=5", "Members");
      const people = page.locator("#member-results > li");
      assert.deepEqual(await people.locator(".card-title a").allTextContents(), [`Ben Near ${tag}`]);
      assert.equal(await people.first().locator(".pill-distance").textContent(), "Under 5 km away");
      await checkA11y(page, "people nearby");
      await page.getByLabel("Distance").selectOption("20");
      await page.getByRole("button", { name: "Search" }).click();
      await page.waitForURL(/within_km=20/);
      await settled(page, "Members");
      assert.deepEqual(await people.locator(".card-title a").allTextContents(), [`Ben Near ${tag}`, `Cleo Far ${tag}`]);
      assert.deepEqual(await people.locator(".pill-distance").allTextContents(), ["Under 5 km away", "5 to 20 km away"]);

      // And Ben sees Ana.
      await logIn(benPage, ben);
      await open(benPage, "/members?near=my_home&within_km=5", "Members");
      assert.deepEqual(await benPage.locator("#member-results > li .card-title a").allTextContents(), [`Ana Near ${tag}`]);

      // Mentors near me: Cleo, with her band as the first reason.
      await open(page, "/mentors?near=my_home&within_km=20", "Find a mentor");
      const sugg = page.locator("#suggestion-list > li");
      assert.equal(await sugg.count(), 1);
      assert.match(await sugg.first().textContent(), new RegExp(`Cleo Far ${tag}`));
      assert.equal(await sugg.first().locator(".pill-distance").textContent(), "5 to 20 km away");
      await checkA11y(page, "mentors near me");

      assert.deepEqual(unexpected(errors, [400]), []);
      assert.deepEqual(unexpected(benErrors), []);
    } finally {
      await page.close();
      await benPage.close();
    }
  });

  test("on a phone: Near me fits, and without a position my_library says why", async () => {
    const page = await newPage(browser, PHONE);
    const errors = collectErrors(page);
    try {
      await logIn(page, ben);
      await open(page, "/organizations?near=my_library", "Organizations");
      await page.locator('[data-field="near"] .field-error').waitFor();
      await checkA11y(page, "near my library without one");
      await open(page, `/organizations?near=${near(0.01).join(",")}&within_km=10`, "Organizations");
      const orgs = page.locator("#org-results > li");
      assert.equal(await orgs.count(), 2);
      await assertNoOverflow(page, "organizations near a point on a phone");
      await shot(page, "nearby-organizations-phone");
      assert.deepEqual(unexpected(errors, [400]), []);
    } finally {
      await page.close();
    }
  });
});
