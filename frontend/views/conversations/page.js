// One conversation (#/conversations/:id): its messages, oldest at the top with older ones
// loaded on demand, a reply form, marking read, and block, report and leave.
import { ApiError, del, get, patch, post, put } from "../../lib/api.js";
import { h, link, time } from "../../lib/dom.js";
import { field, formAlert, onSubmit, submit } from "../../lib/forms.js";
import { bodies } from "../../lib/limits.js";
import { navigate } from "../../lib/router.js";
import { announce, confirmDialog, flashNext, pageHeading, showError } from "../../lib/ui.js";
import { otherName, reasonDialog } from "./common.js";
import { refreshUnreadMessages } from "./unread.js";

const PAGE = 30;

export async function conversationView({ params }) {
  if (!/^[1-9][0-9]{0,17}$/.test(params.id)) throw new ApiError(404, { detail: "No such conversation." });
  const id = params.id;
  let c = await get(`/v1/conversations/${id}`, { query: { limit: PAGE } });
  const name = otherName(c);
  const list = h("ol", { class: "message-list", id: "message-list", "aria-label": `Messages with ${name}` });
  let cursor = c.messages.next_cursor;
  let newest = c.messages.data[0]?.id || null;

  function messageItem(m) {
    const who = m.mine ? "You" : m.sender?.display_name || name;
    const li = h(
      "li",
      { class: `message${m.mine ? " mine" : ""}`, dataset: { id: m.id } },
      h("p", { class: "message-meta muted small" }, h("strong", {}, who), " · ", time(m.created_at)),
      m.text ? h("p", { class: "message-text" }, m.text) : h("p", { class: "message-text muted" }, h("em", {}, "This member deleted their account.")),
    );
    if (!m.mine && m.text) {
      const report = h("button", { type: "button", class: "linklike small report-message", "aria-label": `Report the message from ${who} sent ${new Date(m.created_at).toLocaleString("en")}` }, "Report");
      report.addEventListener("click", async () => {
        const reason = await reasonDialog({
          title: "Report this message?",
          message: "A copy of this message (and nothing else of the conversation) goes to the site admins with your reason.",
        });
        if (!reason) return;
        report.disabled = true;
        try {
          await post("/v1/reports", { subject_type: "message", subject_id: m.id, reason });
          report.replaceWith(h("span", { class: "muted small" }, "Reported"));
          announce("The message was reported. A site admin will review it.");
        } catch (err) {
          report.disabled = false;
          showError(err);
        }
      });
      li.querySelector(".message-meta").append(" · ", report);
    }
    return li;
  }

  for (const m of [...c.messages.data].reverse()) list.append(messageItem(m));
  const older = h("button", { type: "button", class: "button secondary small", id: "older-messages", hidden: !cursor }, "Load older messages");
  older.addEventListener("click", async () => {
    older.disabled = true;
    try {
      const page = await get(`/v1/conversations/${id}`, { query: { limit: PAGE, cursor } });
      const items = [...page.messages.data].reverse().map(messageItem);
      list.prepend(...items);
      cursor = page.messages.next_cursor;
      older.hidden = !cursor;
      announce(`${items.length} older message${items.length === 1 ? "" : "s"} loaded.`);
      items[items.length - 1]?.setAttribute("tabindex", "-1");
      items[items.length - 1]?.focus();
    } catch (err) {
      showError(err);
    } finally {
      older.disabled = false;
    }
  });

  async function markRead() {
    if (!newest || !c.unread_count) return;
    try {
      c = { ...c, ...(await patch(`/v1/conversations/${id}`, { last_read_message_id: newest }, { quiet: true })) };
      refreshUnreadMessages();
    } catch (err) {
      showError(err);
    }
  }

  const replyArea = h("div", { class: "reply-area" });
  function drawReply() {
    replyArea.replaceChildren();
    if (!c.member) {
      replyArea.append(h("p", { class: "muted" }, "This member deleted their account: you cannot reply."));
      return;
    }
    if (c.blocked) {
      replyArea.append(h("p", { class: "muted", id: "blocked-note" }, `You blocked ${name}. Unblock them to write.`));
      return;
    }
    const form = h(
      "form",
      { class: "form", id: "reply-form", novalidate: true },
      formAlert(),
      field("text", "Your message", { rows: 3, required: true, maxlength: bodies.MessageCreate.text.maxLength }),
      h("div", { class: "actions" }, submit("Send")),
    );
    onSubmit(form, async () => {
      const text = form.elements.text.value.trim();
      if (!text) throw new ApiError(400, { detail: "Write a message first.", errors: [{ field: "text", message: "must not be empty" }] });
      const m = await post(`/v1/conversations/${id}/messages`, { text });
      list.append(messageItem(m));
      newest = m.id;
      form.elements.text.value = "";
      form.elements.text.focus();
      announce("Message sent.");
    });
    replyArea.append(form);
  }

  const blockButton = h("button", { type: "button", class: "button secondary", id: "block-member" });
  function drawBlock() {
    blockButton.textContent = c.blocked ? `Unblock ${name}` : `Block ${name}`;
    blockButton.hidden = !c.member;
  }
  blockButton.addEventListener("click", async () => {
    if (!c.blocked) {
      const ok = await confirmDialog(`${name} will not be able to write to you or thank you, and you will not be able to write to them. They are not told.`, {
        title: `Block ${name}?`,
        confirmLabel: "Block",
        danger: true,
      });
      if (!ok) return;
    }
    blockButton.disabled = true;
    try {
      if (c.blocked) await del(`/v1/me/blocks/${c.member.id}`);
      else await put(`/v1/me/blocks/${c.member.id}`);
      c = { ...c, blocked: !c.blocked };
      drawBlock();
      drawReply();
      announce(c.blocked ? `${name} is blocked.` : `${name} is no longer blocked.`);
      blockButton.focus();
    } catch (err) {
      showError(err);
    } finally {
      blockButton.disabled = false;
    }
  });
  const leave = h("button", { type: "button", class: "button secondary", id: "leave-conversation" }, "Leave conversation");
  leave.addEventListener("click", async () => {
    const ok = await confirmDialog(`The messages so far disappear from your view, and the conversation from your list until ${name} writes again. ${name} keeps everything.`, {
      title: "Leave this conversation?",
      confirmLabel: "Leave",
      danger: true,
    });
    if (!ok) return;
    try {
      await del(`/v1/conversations/${id}`);
      refreshUnreadMessages();
      flashNext(`You left the conversation with ${name}.`);
      navigate("/conversations");
    } catch (err) {
      showError(err);
    }
  });
  drawBlock();
  drawReply();
  markRead();

  return h(
    "section",
    { class: "page conversation-page" },
    pageHeading(`Conversation with ${name}`, c.member ? link(`/members/${c.member.id}`, "Profile", { class: "button secondary" }) : null),
    h("p", {}, link("/conversations", "All messages")),
    older,
    c.messages.data.length ? null : h("p", { class: "muted" }, "No messages to show."),
    list,
    replyArea,
    h("div", { class: "actions conversation-actions" }, blockButton, leave),
  );
}
