// My conversations (#/conversations): one-to-one messages with other members, the one with
// the newest message first, each with its unread count; and the members I blocked.
import { del, get } from "../../lib/api.js";
import { h, link, time } from "../../lib/dom.js";
import { announce, loadMore, pageHeading, showError } from "../../lib/ui.js";
import { otherName, preview } from "./common.js";
import { setUnreadMessages } from "./unread.js";

function conversationItem(c) {
  const name = otherName(c);
  const last = c.last_message;
  return h(
    "li",
    { class: `card conversation${c.unread_count ? " unread" : ""}`, dataset: { id: c.id } },
    h(
      "p",
      { class: "card-title" },
      link(`/conversations/${c.id}`, name, { "aria-label": `Conversation with ${name}${c.unread_count ? `, ${c.unread_count} unread` : ""}` }),
      c.unread_count ? h("span", { class: "pill pill-accent", "aria-hidden": "true" }, `${c.unread_count} unread`) : null,
      c.blocked ? h("span", { class: "pill" }, "Blocked") : null,
    ),
    last ? h("p", { class: "small" }, last.mine ? "You: " : "", last.text ? preview(last.text) : h("em", {}, "Message removed")) : null,
    h("p", { class: "muted small" }, time(c.last_message_at)),
  );
}

function blocksPanel() {
  const list = h("ul", { class: "cards", id: "block-list" });
  const section = h(
    "section",
    { class: "panel", "aria-labelledby": "blocks-h" },
    h("h2", { id: "blocks-h" }, "Blocked members"),
    h("p", { class: "muted small" }, "You and the members you blocked cannot write to each other or thank each other. They are not told."),
    list,
  );
  const pager = loadMore({
    list,
    noun: "blocked members",
    emptyText: "You have not blocked anyone.",
    fetchPage: (cursor) => get("/v1/me/blocks", { query: { limit: 50, cursor } }),
    renderItem: (b) => {
      const li = h("li", { class: "card row-card" }, link(`/members/${b.member.id}`, b.member.display_name));
      const unblock = h("button", { type: "button", class: "button secondary small", "aria-label": `Unblock ${b.member.display_name}` }, "Unblock");
      unblock.addEventListener("click", async () => {
        unblock.disabled = true;
        try {
          await del(`/v1/me/blocks/${b.member.id}`);
          li.remove();
          announce(`${b.member.display_name} is no longer blocked.`);
        } catch (err) {
          unblock.disabled = false;
          showError(err);
        }
      });
      li.append(unblock);
      return li;
    },
  });
  section.append(pager.element);
  return { section, start: pager.start };
}

export async function conversationsView() {
  const list = h("ul", { class: "cards", id: "conversation-list" });
  let first = true;
  const pager = loadMore({
    list,
    noun: "conversations",
    emptyText: "No conversations yet.",
    fetchPage: async (cursor) => {
      const page = await get("/v1/conversations", { query: { limit: 20, cursor } });
      if (first) setUnreadMessages(page.unread_count || 0);
      first = false;
      return page;
    },
    renderItem: conversationItem,
  });
  const blocks = blocksPanel();
  await Promise.all([pager.start(), blocks.start()]);
  return h(
    "section",
    { class: "page" },
    pageHeading("Messages"),
    h(
      "p",
      { class: "muted" },
      "Write to a member from their profile, or to people you met at an event. Who may start a conversation with you follows ",
      link("/me/privacy", "your privacy settings"),
      "; people you mentor or work with on a collaboration can always write.",
    ),
    list,
    pager.element,
    blocks.section,
  );
}
