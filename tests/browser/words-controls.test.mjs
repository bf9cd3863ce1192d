// Words and controls (issue 20, item 5): a collaboration offers "Ask to join" only to
// those not in it (owners, participants and askers see where they stand); member counts
// follow an approval without a reload; flash messages clear on the next submit or
// navigation; opening a notification reads it; date-time inputs are full size; a spinner
// on a page's first load until its data arrives; the footer's "API: ok" follows the last
// real request; subscribing to the personal calendar is one click.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { collectErrors, DESKTOP, launch, newPage, PHONE } from "./lib.mjs";
import { API, WEB, assertNoOverflow, call, checkA11y, logIn, member, open, organization, settled, shot, uid, unexpected } from "./app.mjs";

const SIZES = [DESKTOP, PHONE];

async function collaboration(owner, title) {
  const r = await call("POST", "/v1/collaborations", { token: owner.token, body: { title, summary: "Scan the regional newspapers together." } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

async function askToJoin(c, who) {
  const r = await call("POST", `/v1/collaborations/${c.id}/participants`, { token: who.token, body: { message: "Count me in." } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

describe("words and controls", { timeout: 240_000 }, () => {
  let browser;
  const tag = uid();

  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test("a collaboration: who is in it sees their state, not 'Ask to join'; the count follows an approval; flash messages clear", async () => {
    const [owner, asker, partner, stranger] = await Promise.all([
      member({ name: `Owner ${tag}` }),
      member({ name: `Asker ${tag}` }),
      member({ name: `Partner ${tag}` }),
      member({ name: `Stranger ${tag}` }),
    ]);
    const title = `Newspapers ${tag}`;
    const c = await collaboration(owner, title);
    await askToJoin(c, asker);
    const p = await askToJoin(c, partner);
    assert.equal((await call("PATCH", `/v1/collaborations/${c.id}/participants/${p.id}`, { token: owner.token, body: { status: "approved" } })).status, 200);

    const expected = [
      [asker, "Your request to join is waiting for an owner to approve it."],
      [partner, "You take part in this collaboration."],
      [stranger, null],
    ];
    for (const [who, state] of expected) {
      for (const size of SIZES) {
        const page = await newPage(browser, size);
        const errors = collectErrors(page);
        try {
          await logIn(page, who);
          await open(page, `/collaborations/${c.id}`, title);
          if (state) {
            assert.equal(await page.locator("#join-state").textContent(), state);
            assert.equal(await page.getByRole("button", { name: "Ask to join" }).count(), 0, `${who.name} is not offered "Ask to join"`);
          } else {
            await page.getByRole("button", { name: "Ask to join" }).waitFor();
            assert.equal(await page.locator("#join-state").count(), 0);
          }
          await assertNoOverflow(page, `collaboration (${who.name}, ${size.width}px)`);
          await checkA11y(page, `collaboration (${who.name}, ${size.width}px)`);
          assert.deepEqual(unexpected(errors), []);
        } finally {
          await page.context().close();
        }
      }
    }

    for (const size of SIZES) {
      const page = await newPage(browser, size);
      const errors = collectErrors(page);
      try {
        await logIn(page, owner);
        await open(page, `/collaborations/${c.id}`, title);
        assert.equal(await page.locator("#join-state").textContent(), "You are an owner of this collaboration.");
        assert.equal(await page.getByRole("button", { name: "Ask to join" }).count(), 0, "the owner is not offered \"Ask to join\"");
        await checkA11y(page, `collaboration (owner, ${size.width}px)`);
        await shot(page, `collaboration-owner-state-${size.width}`);
        if (size !== DESKTOP) {
          assert.deepEqual(unexpected(errors), []);
          continue;
        }

        // Approving the asker: the participant count follows, without a reload.
        assert.equal(await page.locator("#participant-count").textContent(), "2");
        await page.getByRole("button", { name: `Approve ${asker.name}` }).click();
        await page.locator("#flash", { hasText: `${asker.name} is now a participant.` }).waitFor();
        await page.locator("#participant-count", { hasText: "3" }).waitFor();

        // The next submit clears the message (here one the API refuses: an empty update).
        await page.getByRole("button", { name: "Post update" }).click();
        await page.locator("#update-form [aria-invalid=\"true\"], #update-form .notice-error").first().waitFor();
        assert.equal(await page.locator("#flash").textContent(), "", "the approval's message is gone after the next submit");

        // A submit that works says so; the next navigation clears it.
        await page.getByLabel("Post an update").fill("First 200 pages scanned.");
        await page.getByRole("button", { name: "Post update" }).click();
        await page.locator("#flash", { hasText: "Your update was posted." }).waitFor();
        await page.locator("#update-list li", { hasText: "First 200 pages" }).waitFor();
        await page.getByRole("link", { name: "Collaborations" }).first().click();
        await settled(page, "Collaborations");
        assert.equal(await page.locator("#flash").textContent(), "", "navigation clears the message");
        assert.deepEqual(unexpected(errors, [400]), []);
      } finally {
        await page.context().close();
      }
    }
  });

  test("opening a notification reads it; an organization's member count follows an approval", async () => {
    const [admin, joiner] = await Promise.all([member({ name: `Admin ${tag}` }), member({ name: `Joiner ${tag}` })]);
    const org = await organization(admin, { name: `Count Library ${tag}` });
    assert.equal((await call("POST", `/v1/organizations/${org.id}/members`, { token: joiner.token })).status, 201);
    const page = await newPage(browser, PHONE);
    const errors = collectErrors(page);
    try {
      await logIn(page, admin);
      await page.locator("#nav-notifications .badge", { hasText: "1" }).waitFor({ state: "attached" });
      await open(page, "/notifications", "Notifications");
      const item = page.locator("#notification-list > li").first();
      assert.match(await item.textContent(), /asked to join/);
      await checkA11y(page, "notifications (phone)");

      // "Open" marks it read (the API says so), then goes to its subject; the badge goes.
      const marked = page.waitForResponse((r) => r.request().method() === "PATCH" && /\/v1\/me\/notifications\/\d+$/.test(new URL(r.url()).pathname));
      await item.getByRole("link", { name: "Open" }).click();
      assert.equal((await marked).status(), 200);
      await settled(page, org.name);
      await page.locator("#nav-notifications .badge").waitFor({ state: "detached" });
      assert.equal((await call("GET", "/v1/me/notifications?unread=true", { token: admin.token })).body.data.length, 0);
      await open(page, "/notifications", "Notifications");
      assert.equal(await page.locator("#notification-list > li.unread").count(), 0, "the opened notification shows as read");

      // Approving the request: the member count on the page changes without a reload.
      await open(page, `/organizations/${org.slug}`, org.name);
      assert.match(await page.locator("#org-facts").textContent(), /· 1 member$/);
      await page.getByRole("button", { name: `Approve ${joiner.name}` }).click();
      await page.locator("#flash", { hasText: `${joiner.name} is now a member.` }).waitFor();
      await page.locator("#org-facts", { hasText: "2 members" }).waitFor();
      await page.locator("#member-list li", { hasText: joiner.name }).waitFor();
      await assertNoOverflow(page, "organization (phone)");
      await checkA11y(page, "organization after an approval (phone)");
      await shot(page, "organization-count-phone");

      // Removing them: the count follows again.
      await page.setViewportSize(DESKTOP);
      await page.getByRole("button", { name: `Remove ${joiner.name}` }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Remove" }).click();
      await page.locator("#org-facts", { hasText: "1 member" }).waitFor();
      await checkA11y(page, "organization after a removal (desktop)");
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await page.context().close();
    }
  });

  test("date-time inputs are full size, with nothing clipped, at both widths", async () => {
    const host = await member({ name: `Host ${tag}` });
    for (const size of SIZES) {
      const page = await newPage(browser, size);
      const errors = collectErrors(page);
      try {
        await logIn(page, host);
        await open(page, "/events/new", "Create an event");
        await page.getByLabel(/^Starts/).fill("2031-12-24T18:30");
        await page.getByLabel(/^Ends/).fill("2031-12-24T21:45");
        const sizes = await page.evaluate(() =>
          [...document.querySelectorAll('input[type="datetime-local"]')].map((input) => {
            // The width it needs to show its whole value: a copy at its natural width.
            const natural = input.cloneNode();
            natural.style.width = "auto";
            natural.style.position = "absolute";
            natural.style.visibility = "hidden";
            input.parentElement.append(natural);
            const needs = natural.getBoundingClientRect().width;
            natural.remove();
            const box = input.closest(".field") || input.parentElement;
            return { name: input.name, width: input.getBoundingClientRect().width, needs, field: box.getBoundingClientRect().width };
          }),
        );
        assert.equal(sizes.length, 2);
        for (const s of sizes) {
          assert.ok(s.width >= s.needs - 0.5, `${s.name} shows its whole value at ${size.width}px: ${JSON.stringify(s)}`);
          assert.ok(Math.abs(s.width - s.field) <= 1, `${s.name} fills its field at ${size.width}px: ${JSON.stringify(s)}`);
        }
        await assertNoOverflow(page, `event form (${size.width}px)`);
        await checkA11y(page, `event form (${size.width}px)`);
        await shot(page, `event-form-datetimes-${size.width}`);
        assert.deepEqual(unexpected(errors), []);
      } finally {
        await page.context().close();
      }
    }
  });

  test("a spinner on a page's first load until its data arrives; the footer follows the last request", async () => {
    for (const size of SIZES) {
      const page = await newPage(browser, size);
      const errors = collectErrors(page);
      try {
        // First load: the list's data is held back; the spinner shows until it comes.
        let release;
        const held = new Promise((resolve) => {
          release = resolve;
        });
        const isList = (u) => u.pathname === "/v1/collaborations";
        await page.route(isList, async (route) => {
          await held;
          await route.continue();
        });
        await page.goto(`${WEB}/#/collaborations`);
        const spinner = page.locator("#view #page-loading");
        await spinner.waitFor();
        assert.equal(await spinner.getAttribute("role"), "status");
        assert.match(await spinner.textContent(), /Loading/);
        assert.equal(await page.locator("#view").getAttribute("aria-busy"), "true");
        await checkA11y(page, `first load spinner (${size.width}px)`);
        await shot(page, `first-load-spinner-${size.width}`);
        release();
        await settled(page, "Collaborations");
        assert.equal(await spinner.count(), 0);
        assert.equal(await page.locator("#view").getAttribute("aria-busy"), null);
        await page.unroute(isList);

        // A navigation to another page: the spinner again while its data is held back.
        let release2;
        const held2 = new Promise((resolve) => {
          release2 = resolve;
        });
        const isOrgs = (u) => u.pathname === "/v1/organizations";
        await page.route(isOrgs, async (route) => {
          await held2;
          await route.continue();
        });
        await page.evaluate(() => {
          location.hash = "#/organizations";
        });
        await spinner.waitFor();
        release2();
        await settled(page, "Organizations");
        assert.equal(await spinner.count(), 0);
        await page.unroute(isOrgs);

        // The footer: ok, then a 5xx says so, and the next success recovers.
        const status = page.locator("#api-status");
        await page.locator('#api-status[data-state="ok"]').waitFor();
        await page.route(isList, (route) =>
          route.fulfill({ status: 500, contentType: "application/problem+json", body: JSON.stringify({ type: "about:blank", title: "Internal error", status: 500 }) }),
        );
        await open(page, "/collaborations", "Collaborations");
        await page.locator('#api-status[data-state="error"]').waitFor();
        assert.match(await status.textContent(), /^API: error/);
        await checkA11y(page, `footer after a failed request (${size.width}px)`);
        await shot(page, `footer-api-error-${size.width}`);
        await page.unroute(isList);
        await open(page, "/collaborations?status=active", "Collaborations");
        await page.locator('#api-status[data-state="ok"]').waitFor();
        assert.equal(await status.textContent(), "API: ok");

        // A network failure: unreachable, until the next success.
        await page.route(isList, (route) => route.abort("connectionrefused"));
        await open(page, "/collaborations?status=proposed", "Collaborations");
        await page.locator('#api-status[data-state="unreachable"]').waitFor();
        assert.equal(await status.textContent(), "API: unreachable");
        await page.unroute(isList);
        await open(page, "/organizations?q=x", "Organizations");
        await page.locator('#api-status[data-state="ok"]').waitFor();
        assert.deepEqual(
          unexpected(errors, [500]).filter((e) => !/ERR_CONNECTION_REFUSED|ERR_FAILED/.test(e)),
          [],
        );
      } finally {
        await page.context().close();
      }
    }
  });

  test("subscribing to my calendar takes one click", async () => {
    const me = await member({ name: `Subscriber ${tag}` });
    for (const size of SIZES) {
      const page = await newPage(browser, size);
      const errors = collectErrors(page);
      try {
        await logIn(page, me);
        await open(page, "/me/events", "My events");
        const subscribe = page.locator("#calendar-subscribe");
        const tagName = () => subscribe.evaluate((el) => el.tagName);
        // Never made in this browser (each size is a new browser context): one click makes
        // the link and opens it in the calendar app.
        assert.equal(await tagName(), "BUTTON");
        await checkA11y(page, `my events before subscribing (${size.width}px)`);
        await page.getByRole("button", { name: "Subscribe in my calendar app" }).click();
        await page.locator('a#calendar-subscribe[href^="webcal://"]').waitFor();
        // A later visit: the webcal:// link itself, one click.
        await page.reload();
        await settled(page, "My events");
        assert.equal(await tagName(), "A");
        const href = await page.locator("a#calendar-subscribe").getAttribute("href");
        assert.match(href, /^webcal:\/\//);
        const url = await page.getByLabel("Your calendar link").inputValue();
        assert.equal(url.replace(/^https?:/, "webcal:"), href);
        assert.ok(url.startsWith(`${API}/v1/me/calendar.ics?key=`), url);
        const res = await fetch(url);
        assert.equal(res.status, 200);
        assert.match(await res.text(), /BEGIN:VCALENDAR/);
        await assertNoOverflow(page, `my events (${size.width}px)`);
        await checkA11y(page, `my events with the subscribe link (${size.width}px)`);
        await shot(page, `calendar-one-click-${size.width}`);

        assert.deepEqual(unexpected(errors), []);

        // Another tab has it too; logging out there forgets it. (A new page: headless
        // Chromium's handling of the webcal:// navigation above is not a member's.)
        const tab = await page.context().newPage();
        await open(tab, "/me/events", "My events");
        assert.equal(await tab.locator("a#calendar-subscribe").getAttribute("href"), href);
        if (size === PHONE) await tab.getByRole("button", { name: "Menu" }).click();
        await tab.locator("#logout").click();
        await tab.waitForFunction(() => localStorage.getItem("il.token") === null);
        assert.equal(await tab.evaluate(() => localStorage.getItem("il.calendar")), null);
      } finally {
        await page.context().close();
      }
    }
  });
});
