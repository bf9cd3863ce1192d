// Write to a member (#/conversations/new?to=<member id>): the first message of a
// conversation, or the next one when the two already talk; then the conversation.
import { ApiError, get, post } from "../../lib/api.js";
import { h, link } from "../../lib/dom.js";
import { dropDraft, field, formAlert, keepDraft, onSubmit, submit } from "../../lib/forms.js";
import { bodies } from "../../lib/limits.js";
import { navigate } from "../../lib/router.js";
import { flashNext, pageHeading } from "../../lib/ui.js";

export async function newConversationView({ query }) {
  const to = query.get("to") || "";
  if (!/^[1-9][0-9]{0,17}$/.test(to)) throw new ApiError(404, { detail: "No such member." });
  const m = await get(`/v1/members/${to}`);
  const name = m.display_name || `Member ${m.id}`;
  const form = h(
    "form",
    { class: "form", id: "message-form", novalidate: true },
    formAlert(),
    field("text", "Message", { rows: 5, required: true, maxlength: bodies.ConversationCreate.text.maxLength }),
    h("div", { class: "actions" }, submit("Send")),
  );
  const draft = `message-${to}`;
  keepDraft(form, draft);
  onSubmit(form, async () => {
    const text = form.elements.text.value.trim();
    if (!text) throw new ApiError(400, { detail: "Write a message first.", errors: [{ field: "text", message: "must not be empty" }] });
    let c;
    try {
      c = await post("/v1/conversations", { member_id: m.id, text });
    } catch (err) {
      if (err instanceof ApiError && err.code === "not_accepting") {
        throw new ApiError(403, { detail: `${name} is not accepting messages from you. Members choose who may write to them first; people who met at an event, share an organization, a mentorship or a collaboration often can.` });
      }
      throw err;
    }
    dropDraft(draft);
    flashNext("Message sent.");
    navigate(`/conversations/${c.id}`);
  });
  return h(
    "section",
    { class: "page" },
    pageHeading(`Write to ${name}`),
    h("p", { class: "muted" }, "If you already talk with ", link(`/members/${m.id}`, name), ", this joins your conversation. Be kind: members can block you and report messages."),
    form,
  );
}
