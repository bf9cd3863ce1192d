// My profile (#/me): the about fields, skills and interests, and the mentoring offer; what
// was typed is kept as a draft. Saved with the version the page was made from (If-Match:
// 412 when the profile was saved elsewhere meanwhile, say in another tab).
import { patch } from "../../lib/api.js";
import { h, link, parseList } from "../../lib/dom.js";
import { draftNotice, dropDraft, field, formAlert, keepDraft, onSubmit, rebaseDraft, submit, value } from "../../lib/forms.js";
import { bodies } from "../../lib/limits.js";
import { positionFields, positionValues } from "../../lib/nearby.js";
import { setCurrentMember } from "../../lib/state.js";
import { announce, pageHeading } from "../../lib/ui.js";
import { verifyNotice } from "../../lib/verification.js";
import { loadMe, tabs } from "./account.js";

const F = bodies.MePatch;
const CAPACITY = F["mentoring.capacity"];

export async function profileView() {
  const me = await loadMe();
  let version = me.version;
  const m = me.mentoring || { available: false, topics: [], capacity: 0 };
  const form = h(
    "form",
    { class: "form", novalidate: true, id: "profile-form" },
    formAlert(),
    h(
      "fieldset",
      { class: "group" },
      h("legend", {}, "About you"),
      field("display_name", "Name", { value: me.display_name, required: true, maxlength: F.display_name.maxLength, autocomplete: "name" }),
      h(
        "div",
        { class: "field-row" },
        field("pronouns", "Pronouns", { value: me.pronouns, maxlength: F.pronouns.maxLength, hint: "For example she/her, they/them." }),
        field("city", "City", { value: me.city, maxlength: F.city.maxLength, autocomplete: "address-level2" }),
      ),
      field("title", "Job title", { value: me.title, maxlength: F.title.maxLength, autocomplete: "organization-title" }),
      field("bio", "Bio", { value: me.bio, rows: 5, maxlength: F.bio.maxLength, hint: "A few lines about your work and what you'd like to share." }),
      field("skills", "Skills", {
        value: (me.skills || []).join(", "),
        hint: `Separate with commas, up to ${F.skills.maxItems} (e.g. cataloguing, grant writing).`,
      }),
      field("interests", "Interests", {
        value: (me.interests || []).join(", "),
        hint: `Separate with commas, up to ${F.interests.maxItems}.`,
      }),
    ),
    h(
      "fieldset",
      { class: "group", dataset: { field: "mentoring" } },
      h("legend", {}, "Mentoring"),
      h("p", { class: "hint" }, "Offer to mentor colleagues. Members can then ask you for mentoring on your topics."),
      field("mentoring.available", "I am available as a mentor", { type: "checkbox", value: m.available }),
      field("mentoring.topics", "Topics", { value: (m.topics || []).join(", "), hint: `Separate with commas, up to ${F["mentoring.topics"].maxItems}.` }),
      field("mentoring.capacity", "How many mentees at once", {
        type: "number",
        value: String(m.capacity ?? 0),
        min: CAPACITY.minimum,
        max: CAPACITY.maximum,
        inputmode: "numeric",
        hint: `From ${CAPACITY.minimum} to ${CAPACITY.maximum}.`,
      }),
    ),
    positionFields("home_latitude", "home_longitude", F.home_latitude, F.home_longitude, me,
      "Your approximate home area, for \"people nearby\": kept to about 1 km (0.01 degree), and others only ever see a rough distance (under 5, 5 to 20, over 20 km), when your About group is visible to them. In degrees, like 39.80 and -89.64; leave both empty to share none."),
    h("div", { class: "actions" }, submit("Save profile")),
  );
  keepDraft(form, "me-profile");
  onSubmit(form, async () => {
    const cap = form.elements["mentoring.capacity"].value.trim();
    const body = {
      display_name: value(form, "display_name"),
      pronouns: value(form, "pronouns"),
      title: value(form, "title"),
      city: value(form, "city"),
      bio: form.elements.bio.value.trim(),
      skills: parseList(value(form, "skills")),
      interests: parseList(value(form, "interests")),
      mentoring: {
        available: value(form, "mentoring.available"),
        topics: parseList(value(form, "mentoring.topics")),
        capacity: cap === "" ? null : Number(cap),
      },
      ...positionValues(form, "home_latitude", "home_longitude"),
    };
    const updated = await patch("/v1/me", body, { version });
    version = updated.version;
    dropDraft("me-profile");
    rebaseDraft(form);
    setCurrentMember(updated);
    form.querySelector("#draft-restored")?.remove();
    announce("Your profile was saved.");
  });
  return h(
    "section",
    { class: "page" },
    pageHeading("My profile", link(`/members/${me.id}`, "See my public profile", { class: "button secondary" })),
    tabs(),
    verifyNotice(),
    h("p", { class: "muted" }, "Signed in as ", h("strong", {}, me.email), ". Your email is never shown to other members."),
    draftNotice(form),
    form,
  );
}
