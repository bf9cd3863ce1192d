// Say thanks (#/members/:id/thanks?event=|mentorship=|collaboration=): a thank-you note to
// a member, for something the two share when there is one, and the thanker's consent to
// it being public.
import { ApiError, get, post } from "../../lib/api.js";
import { h, link } from "../../lib/dom.js";
import { dropDraft, field, formAlert, keepDraft, onSubmit, submit, value } from "../../lib/forms.js";
import { bodies } from "../../lib/limits.js";
import { navigate } from "../../lib/router.js";
import { flashNext, pageHeading } from "../../lib/ui.js";

const F = bodies.ThanksCreate;
const CONTEXTS = [
  ["event", "event_id", (id) => `/v1/events/${id}`, (x) => x.title],
  ["collaboration", "collaboration_id", (id) => `/v1/collaborations/${id}`, (x) => x.title],
  ["mentorship", "mentorship_id", (id) => `/v1/mentorships/${id}`, (x) => `mentoring in ${x.topic}`],
];
const ID = /^[1-9][0-9]{0,17}$/;

/** [value, label] choices for "What for": what the link named, and shared mentorships. */
async function choices(query, memberId) {
  const out = [["", "Nothing in particular"]];
  for (const [kind, fieldName, path, label] of CONTEXTS) {
    const id = query.get(kind);
    if (!id || !ID.test(id)) continue;
    try {
      out.push([`${fieldName}:${id}`, label(await get(path(id)))]);
    } catch {
      // Gone or not visible: leave it out.
    }
  }
  try {
    const mine = await get("/v1/mentorships", { query: { limit: 100 } });
    for (const x of mine.data || []) {
      const other = x.mentor.id === memberId ? x.mentor : x.mentee.id === memberId ? x.mentee : null;
      if (other && (x.status === "accepted" || x.status === "completed") && !out.some(([v]) => v === `mentorship_id:${x.id}`)) {
        out.push([`mentorship_id:${x.id}`, `mentoring in ${x.topic}`]);
      }
    }
  } catch {
    // Mentorships are a nicety here.
  }
  return out;
}

export async function sayThanksView({ params, query }) {
  if (!ID.test(params.id)) throw new ApiError(404, { detail: "No such member." });
  const m = await get(`/v1/members/${params.id}`);
  const name = m.display_name || `Member ${m.id}`;
  const options = await choices(query, m.id);
  const form = h(
    "form",
    { class: "form", id: "thanks-form", novalidate: true },
    formAlert(),
    field("about", "What for", { options, value: options[1]?.[0] ?? "", hint: "Something you did together: an event you both went to, a mentorship, a collaboration." }),
    field("text", "Your note", { rows: 4, required: true, maxlength: F.text.maxLength }),
    field("share_publicly", "It may be public", {
      type: "checkbox",
      hint: `If ${name} also chooses to show it on their profile, it can appear in the community activity.`,
    }),
    h("div", { class: "actions" }, submit("Send thanks")),
  );
  const draft = `thanks-${m.id}`;
  keepDraft(form, draft);
  onSubmit(form, async () => {
    const text = form.elements.text.value.trim();
    if (!text) throw new ApiError(400, { detail: "Write a few words first.", errors: [{ field: "text", message: "must not be empty" }] });
    const body = { text, share_publicly: value(form, "share_publicly") };
    const about = value(form, "about");
    if (about) {
      const [key, id] = about.split(":");
      body[key] = Number(id);
    }
    try {
      await post(`/v1/members/${m.id}/thanks`, body);
    } catch (err) {
      // The field the API names is the choice in "What for".
      if (err instanceof ApiError) err.errors = err.errors.map((e) => (/_id$/.test(e.field) ? { ...e, field: "about" } : e));
      if (err instanceof ApiError && err.code === "not_accepting" && !err.errors.length) err.errors = [{ field: "about", message: err.detail }];
      throw err;
    }
    dropDraft(draft);
    flashNext(`Your thanks was sent to ${name}. It stays private unless ${name} shows it on their profile.`);
    navigate(`/members/${m.id}`);
  });
  return h(
    "section",
    { class: "page" },
    pageHeading(`Say thanks to ${name}`),
    h("p", { class: "muted" }, "A few kind words, just for ", link(`/members/${m.id}`, name), ". There are no points and no rankings here."),
    form,
  );
}
