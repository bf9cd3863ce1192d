// Asking a mentor for mentoring: a topic they offer, a message and goals; what was typed
// is kept as a draft.
import { ApiError, get, post } from "../../lib/api.js";
import { h, link } from "../../lib/dom.js";
import { dropDraft, field, formAlert, keepDraft, onSubmit, submit, value } from "../../lib/forms.js";
import { bodies } from "../../lib/limits.js";
import { navigate } from "../../lib/router.js";
import { flashNext, pageHeading } from "../../lib/ui.js";
import { tabs } from "./common.js";

const F = bodies.MentorshipCreate;

export async function mentorshipRequestView({ query }) {
  const mentorId = query.get("mentor");
  if (!/^[1-9][0-9]{0,17}$/.test(mentorId || "")) throw new ApiError(404, { detail: "No such mentor." });
  const mentor = await get(`/v1/members/${mentorId}`);
  const name = mentor.display_name || `Member ${mentor.id}`;
  const topics = mentor.mentoring?.topics || [];
  const draftKey = `mentorship-new-${mentor.id}`;
  const form = h(
    "form",
    { class: "form", id: "mentorship-form", novalidate: true },
    formAlert(),
    topics.length
      ? field("topic", "Topic", { options: [["", "Choose…"], ...topics.map((t) => [t, t])], required: true })
      : field("topic", "Topic", { required: true, maxlength: F.topic.maxLength }),
    field("message", "Message", { rows: 5, required: true, maxlength: F.message.maxLength, hint: `Introduce yourself and say what you hope to learn from ${name}.` }),
    field("goals", "Goals", { rows: 4, hint: `One goal per line, up to ${F.goals.maxItems}. You can check in on them together.` }),
    h("div", { class: "actions" }, submit("Send request"), link("/mentors", "Cancel", { class: "button secondary" })),
  );
  keepDraft(form, draftKey);
  onSubmit(form, async () => {
    const goals = form.elements.goals.value.split("\n").map((g) => g.trim()).filter(Boolean);
    const created = await post("/v1/mentorships", {
      mentor_id: mentor.id,
      topic: value(form, "topic"),
      message: form.elements.message.value.trim(),
      goals,
    });
    dropDraft(draftKey);
    flashNext(`Your request was sent to ${name}.`);
    navigate(`/mentorships/${created.id}`);
  });
  return h(
    "section",
    { class: "page" },
    pageHeading(`Ask ${name} for mentoring`),
    tabs(""),
    mentor.mentoring?.available === false ? h("p", { class: "notice notice-warn" }, `${name} is not available as a mentor right now.`) : null,
    form,
  );
}
