// Proposing a collaboration (the proposer becomes its owner) and editing it: title,
// summary, skills wanted and the hosting organization; what was typed is kept as a draft.
import { get, patch, post } from "../../lib/api.js";
import { h, link, parseList } from "../../lib/dom.js";
import { dropDraft, field, formAlert, keepDraft, onSubmit, submit, value, withOption } from "../../lib/forms.js";
import { bodies } from "../../lib/limits.js";
import { adminOrganizationOptions } from "../../lib/organizations.js";
import { navigate } from "../../lib/router.js";
import { flashNext, pageHeading } from "../../lib/ui.js";

const F = bodies.CollaborationCreate;

export async function collabFormView({ params }) {
  const editing = Boolean(params.id);
  const c = editing ? await get(`/v1/collaborations/${encodeURIComponent(params.id)}`) : null;
  const orgs = withOption(await adminOrganizationOptions(), c?.organization?.slug, c?.organization?.name);
  const draftKey = editing ? `collab-edit-${c.id}` : "collab-new";
  const form = h(
    "form",
    { class: "form", id: "collab-form", novalidate: true },
    formAlert(),
    field("title", "Title", { value: c?.title, required: true, maxlength: F.title.maxLength }),
    field("summary", "Summary", { rows: 6, value: c?.summary, required: true, maxlength: F.summary.maxLength, hint: "What you want to do together, and what partners would bring." }),
    field("skills_wanted", "Skills wanted", { value: (c?.skills_wanted || []).join(", "), hint: `Separate with commas, up to ${F.skills_wanted.maxItems}.` }),
    field("organization", "Hosting organization", { options: [["", "None"], ...orgs], value: c?.organization?.slug || "", hint: orgs.length ? "An organization you are an admin of." : "You are not an admin of any organization." }),
    h("div", { class: "actions" }, submit(editing ? "Save changes" : "Propose collaboration"), link(editing ? `/collaborations/${c.id}` : "/collaborations", "Cancel", { class: "button secondary" })),
  );
  keepDraft(form, draftKey);
  onSubmit(form, async () => {
    const body = {
      title: value(form, "title"),
      summary: form.elements.summary.value.trim(),
      skills_wanted: parseList(value(form, "skills_wanted")),
    };
    const org = value(form, "organization");
    if (editing) {
      if (org !== (c.organization?.slug || "")) body.organization = org || null;
    } else if (org) body.organization = org;
    const saved = editing ? await patch(`/v1/collaborations/${c.id}`, body) : await post("/v1/collaborations", body);
    dropDraft(draftKey);
    flashNext(editing ? "The collaboration was saved." : "Your collaboration was proposed. You are its owner.");
    navigate(`/collaborations/${saved.id}`);
  });
  return h("section", { class: "page" }, pageHeading(editing ? `Edit ${c.title}` : "Propose a collaboration"), form);
}
