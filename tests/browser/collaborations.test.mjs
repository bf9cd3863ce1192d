// Collaborations through the real UI: propose, move the status, a member asks to join with
// a cost share, the owner approves, updates, cost totals per currency, browse with filters.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { collectErrors, DESKTOP, launch, newPage, PHONE } from "./lib.mjs";
import { assertNoOverflow, call, checkA11y, logIn, member, open, settled, shot, uid, unexpected } from "./app.mjs";

describe("collaboration journeys", { timeout: 90_000 }, () => {
  let browser;
  const tag = uid();
  let owner;
  let partner;

  before(async () => {
    browser = await launch();
    [owner, partner] = await Promise.all([member({ name: `Owner ${tag}` }), member({ name: `Partner ${tag}` })]);
  });
  after(async () => {
    await browser?.close();
  });

  test("propose, seek partners, join with a cost share, approve, update, totals", async () => {
    const page = await newPage(browser, DESKTOP);
    const phone = await newPage(browser, PHONE);
    const errors = collectErrors(page);
    const phoneErrors = collectErrors(phone);
    try {
      await logIn(page, owner);
      await page.getByRole("link", { name: "Collaborations" }).first().click();
      await settled(page, "Collaborations");
      await page.getByRole("link", { name: "Propose a collaboration" }).click();
      await settled(page, "Propose a collaboration");
      const title = `Shared digitization ${tag}`;
      await page.getByLabel(/^Title/).fill(title);
      await page.getByLabel(/^Summary/).fill("Scan the regional newspapers together.");
      await page.getByLabel("Skills wanted").fill(`scanning${tag}, metadata`);
      await page.getByRole("button", { name: "Propose collaboration" }).click();
      await settled(page, title);
      assert.match(await page.locator("#collab-status").textContent(), /Proposed/);
      await page.getByRole("button", { name: "Start seeking partners" }).click();
      await page.locator("#collab-status", { hasText: "Seeking partners" }).waitFor();
      const id = page.url().split("#/collaborations/")[1];

      // A partner finds it by skill on a phone and asks to join with a cost share.
      await logIn(phone, partner);
      await open(phone, `/collaborations?skill=scanning${tag}&status=seeking_partners`, "Collaborations");
      await phone.locator("#collab-results").getByRole("link", { name: title }).click();
      await settled(phone, title);
      await phone.getByLabel(/^Message to the owners/).fill("We have a book scanner.");
      await phone.getByLabel("Skills you offer").fill("scanning");
      await phone.getByLabel("Amount").fill("500.00");
      await phone.getByLabel("Currency").fill("usd");
      await phone.getByRole("button", { name: "Ask to join" }).click();
      await phone.locator("#participant-list li", { hasText: partner.name }).locator(".pill", { hasText: "Pending" }).waitFor();
      await assertNoOverflow(phone, "collaboration (phone)");
      await checkA11y(phone, "collaboration (pending, phone)");
      await shot(phone, "collaboration-pending-phone");

      // The owner approves; totals show the partner's share; the owner adds one in euros.
      await page.reload();
      await settled(page, title);
      await page.getByRole("button", { name: `Approve ${partner.name}` }).click();
      await page.locator("#flash", { hasText: "is now a participant" }).waitFor();
      await page.locator("#cost-totals", { hasText: "$500.00" }).waitFor();
      const mine = page.locator("#participant-list li", { hasText: owner.name });
      await mine.locator("summary").click();
      await mine.getByLabel("Amount").fill("250");
      await mine.getByLabel("Currency").fill("EUR");
      await mine.getByRole("button", { name: "Add cost share" }).click();
      await page.locator("#cost-totals", { hasText: "€250.00" }).waitFor();
      assert.match(await page.locator("#cost-totals").textContent(), /\$500\.00/);
      const c = (await call("GET", `/v1/collaborations/${id}`)).body;
      assert.deepEqual(c.cost_totals, [{ currency: "EUR", amount: "250.00" }, { currency: "USD", amount: "500.00" }]);

      // The partner posts an update; the owner makes it active.
      await phone.reload();
      await settled(phone, title);
      await phone.getByLabel("Post an update").fill("First 200 pages scanned.");
      await phone.getByRole("button", { name: "Post update" }).click();
      await phone.locator("#update-list li", { hasText: "First 200 pages" }).waitFor();
      await page.getByRole("button", { name: "Mark as active" }).click();
      await page.locator("#collab-status", { hasText: "Active" }).waitFor();
      assert.deepEqual((await page.locator('[aria-labelledby="co-status-h"] button').allTextContents()).sort(), ["Archive", "Mark as completed"]);
      await page.reload();
      await settled(page, title);
      await page.locator("#update-list li", { hasText: "First 200 pages" }).waitFor();
      await checkA11y(page, "collaboration (owner)");
      await shot(page, "collaboration-owner-desktop");
      assert.deepEqual(unexpected(errors), []);
      assert.deepEqual(unexpected(phoneErrors), []);
    } finally {
      await page.context().close();
      await phone.context().close();
    }
  });
});
