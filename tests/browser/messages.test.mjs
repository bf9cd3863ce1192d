// Messages and thanks through the real UI: two people who met at a party write to each
// other (from the people met at the event; the unread count in the menu; reading and
// replying), then one thanks the other for the party and the other shows the note on
// their profile; reporting a message and blocking from the conversation.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { collectErrors, DESKTOP, launch, newPage, PHONE } from "./lib.mjs";
import { assertNoOverflow, call, checkA11y, logIn, member, open, settled, shot, uid, unexpected } from "./app.mjs";

/** A party that ended yesterday, where every member of `guests` was going (made in SQL:
 * the API takes no RSVP once an event has ended). */
async function pastParty(host, guests, title) {
  const values = guests.map((g) => `((SELECT id FROM ev), ${Number(g.id)}, 'going', 'going')`).join(", ");
  const sql = `WITH ev AS (INSERT INTO events (title, kind, starts_at, ends_at, timezone, created_by)
      VALUES ('${title.replace(/'/g, "''")}', 'social', now() - interval '28 hours', now() - interval '25 hours', 'UTC', ${Number(host.id)}) RETURNING id),
    org AS (INSERT INTO event_organizers (event_id, member_id) SELECT id, ${Number(host.id)} FROM ev)
    INSERT INTO rsvps (event_id, member_id, response, status) VALUES ${values} RETURNING event_id`;
  const { stdout } = await promisify(execFile)("psql", [process.env.DATABASE_URL, "-qAtc", sql]);
  return Number(stdout.trim().split("\n")[0]);
}

describe("messages and thanks", { timeout: 120_000 }, () => {
  let browser;
  const tag = uid();
  let ana;
  let ben;

  before(async () => {
    browser = await launch();
    // Ana accepts messages from people she has met only.
    [ana, ben] = await Promise.all([
      member({ name: `Ana ${tag}`, profile: { invitations: "met", visibility: { about: "public" } } }),
      member({ name: `Ben ${tag}` }),
    ]);
  });
  after(async () => {
    await browser?.close();
  });

  test("two people who met at a party message each other; one thanks the other", async (t) => {
    if (!process.env.DATABASE_URL) {
      t.skip("needs DATABASE_URL to record a party that has ended");
      return;
    }
    const title = `Harbour party ${tag}`;
    const party = await pastParty(ben, [ana, ben], title);
    const benPage = await newPage(browser, DESKTOP);
    const anaPage = await newPage(browser, PHONE);
    const benErrors = collectErrors(benPage);
    const anaErrors = collectErrors(anaPage);
    try {
      // Ben finds Ana among the people at the party and writes to her.
      await logIn(benPage, ben);
      await open(benPage, `/events/${party}`, title);
      await benPage.getByRole("link", { name: `Write to ${ana.name}` }).click();
      await settled(benPage, `Write to ${ana.name}`);
      await checkA11y(benPage, "write to a member");
      await benPage.getByLabel("Message").fill("Lovely to meet you at the party! Shall we swap zine tips?");
      await benPage.getByRole("button", { name: "Send" }).click();
      await settled(benPage, `Conversation with ${ana.name}`);
      await benPage.locator("#message-list li.mine", { hasText: "swap zine tips" }).waitFor();
      await checkA11y(benPage, "conversation (sender)");
      await shot(benPage, "conversation-desktop");

      // Ana, on a phone: one unread message in the menu, the list, the conversation.
      await logIn(anaPage, ana);
      await anaPage.locator("#nav-messages .badge", { hasText: "1" }).waitFor({ state: "attached" });
      await open(anaPage, "/conversations", "Messages");
      const item = anaPage.locator("#conversation-list li", { hasText: ben.name });
      await item.locator(".pill", { hasText: "1 unread" }).waitFor();
      await checkA11y(anaPage, "messages (phone)");
      await assertNoOverflow(anaPage, "messages (phone)");
      await shot(anaPage, "messages-phone");
      await item.getByRole("link", { name: new RegExp(`Conversation with ${ben.name}`) }).click();
      await settled(anaPage, `Conversation with ${ben.name}`);
      await anaPage.locator("#message-list li", { hasText: "swap zine tips" }).waitFor();
      // Reading it clears the count.
      await anaPage.locator("#nav-messages .badge").waitFor({ state: "detached" });
      await anaPage.getByLabel("Your message").fill("Yes please! Coffee next week?");
      await anaPage.getByRole("button", { name: "Send" }).click();
      await anaPage.locator("#message-list li.mine", { hasText: "Coffee next week" }).waitFor();
      await anaPage.locator("#flash", { hasText: "Message sent." }).waitFor();
      await checkA11y(anaPage, "conversation (phone)");
      await assertNoOverflow(anaPage, "conversation (phone)");
      await shot(anaPage, "conversation-phone");

      // Ana thanks Ben for the party, from the people at the event.
      await open(anaPage, `/events/${party}`, title);
      await anaPage.getByRole("link", { name: `Thank ${ben.name} for ${title}` }).click();
      await settled(anaPage, `Say thanks to ${ben.name}`);
      assert.equal(await anaPage.getByLabel("What for").inputValue(), `event_id:${party}`);
      await anaPage.getByLabel("Your note").fill("Thank you for hosting such a warm evening!");
      await anaPage.getByLabel("It may be public").check();
      await checkA11y(anaPage, "say thanks (phone)");
      await anaPage.getByRole("button", { name: "Send thanks" }).click();
      await settled(anaPage, ben.name);
      await anaPage.locator("#flash", { hasText: "Your thanks was sent" }).waitFor();

      // Ben gets a notification, and shows the note on his profile.
      await open(benPage, "/notifications", "Notifications");
      const note = benPage.locator("#notification-list li", { hasText: `${ana.name} thanked you for ${title}` });
      await note.getByRole("link", { name: "Open" }).click();
      await settled(benPage, "Thanks and milestones");
      const card = benPage.locator("#received-thanks li", { hasText: "warm evening" });
      await card.locator(".thanks-state", { hasText: "Private" }).waitFor();
      await checkA11y(benPage, "my thanks");
      await card.getByRole("button", { name: `Show on my profile: the thanks from ${ana.name}` }).click();
      await card.locator(".thanks-state", { hasText: "Shown on your profile and in the community activity" }).waitFor();
      await shot(benPage, "my-thanks-desktop");
      await open(benPage, `/members/${ben.id}`, ben.name);
      await benPage.locator("#profile-thanks li", { hasText: "warm evening" }).waitFor();
      await checkA11y(benPage, "profile with thanks");
      await open(benPage, "/activity", "Community activity");
      await benPage.locator("#activity-list li", { hasText: `${ana.name} thanked ${ben.name}` }).waitFor();

      // And Ben writes back from Ana's profile: the same conversation.
      await open(benPage, `/members/${ana.id}`, ana.name);
      await benPage.getByRole("link", { name: "Send a message" }).click();
      await settled(benPage, `Write to ${ana.name}`);
      await benPage.getByLabel("Message").fill("Coffee it is.");
      await benPage.getByRole("button", { name: "Send" }).click();
      await settled(benPage, `Conversation with ${ana.name}`);
      assert.equal(await benPage.locator("#message-list li").count(), 3);
      assert.deepEqual(unexpected(benErrors), []);
      assert.deepEqual(unexpected(anaErrors), []);
    } finally {
      await benPage.context().close();
      await anaPage.context().close();
    }
  });

  test("report a message, block the sender, and a refused first message", async () => {
    const pushy = await member({ name: `Pushy ${tag}` });
    const cleo = await member({ name: `Cleo ${tag}`, profile: { invitations: "anyone" } });
    const r = await call("POST", "/v1/conversations", { token: pushy.token, body: { member_id: cleo.id, text: `Buy my course ${tag}` } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const page = await newPage(browser, DESKTOP);
    const errors = collectErrors(page);
    try {
      await logIn(page, cleo);
      await open(page, `/conversations/${r.body.id}`, `Conversation with ${pushy.name}`);
      const msg = page.locator("#message-list li", { hasText: "Buy my course" });
      await msg.getByRole("button", { name: /^Report the message from/ }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByRole("button", { name: "Report" }).click();
      await dialog.locator(".field-error", { hasText: "Say briefly what is wrong." }).waitFor();
      await checkA11y(page, "report dialog");
      await dialog.getByLabel("Why are you reporting it?").fill("Advertising");
      await dialog.getByRole("button", { name: "Report" }).click();
      await msg.getByText("Reported").waitFor();
      await page.getByRole("button", { name: `Block ${pushy.name}` }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Block" }).click();
      await page.locator("#blocked-note", { hasText: `You blocked ${pushy.name}` }).waitFor();
      await page.getByRole("button", { name: `Unblock ${pushy.name}` }).waitFor();
      await checkA11y(page, "conversation, blocked");
      await shot(page, "conversation-blocked-desktop");
      // The block is listed on the messages page, with a way back.
      await open(page, "/conversations", "Messages");
      await page.locator("#block-list li", { hasText: pushy.name }).waitFor();
      // Pushy's reply is refused; so is a first message to someone who accepts nobody.
      const reply = await call("POST", `/v1/conversations/${r.body.id}/messages`, { token: pushy.token, body: { text: "hello?" } });
      assert.equal(reply.status, 403);
      const shy = await member({ name: `Shy ${tag}`, profile: { invitations: "nobody" } });
      await open(page, `/conversations/new?to=${shy.id}`, `Write to ${shy.name}`);
      await page.getByLabel("Message").fill("Hi!");
      await page.getByRole("button", { name: "Send" }).click();
      await page.locator("#message-form .form-alert", { hasText: `${shy.name} is not accepting messages from you` }).waitFor();
      await checkA11y(page, "refused first message");
      assert.deepEqual(unexpected(errors, [403]), []);
    } finally {
      await page.context().close();
    }
  });
});
