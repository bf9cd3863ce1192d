// Creating an organization (its creator becomes its first admin), and for its admins
// editing, archiving or deleting it; what was typed is kept as a draft. Edits and the
// deletion are sent with the version the form was made from (If-Match: 412 when another
// admin changed it meanwhile).
import { ApiError, del, get, patch, post } from "../../lib/api.js";
import { h, link } from "../../lib/dom.js";
import { draftNotice, dropDraft, enumOptions, field, formAlert, keepDraft, onSubmit, submit, value } from "../../lib/forms.js";
import { bodies } from "../../lib/limits.js";
import { positionFields, positionValues } from "../../lib/nearby.js";
import { navigate } from "../../lib/router.js";
import { isSiteAdmin } from "../../lib/state.js";
import { confirmDialog, flashNext, pageHeading, showError } from "../../lib/ui.js";
import { ORG_KINDS } from "./kinds.js";

const F = bodies.OrganizationCreate;

export async function orgFormView({ params }) {
  const editing = Boolean(params.org);
  const org = editing ? await get(`/v1/organizations/${encodeURIComponent(params.org)}`) : null;
  if (editing && !(org.membership?.role === "admin" && org.membership.status === "active") && !isSiteAdmin()) {
    return h(
      "section",
      { class: "page" },
      pageHeading(`Edit ${org.name}`),
      h("p", {}, "Only the organization's admins can edit it."),
      h("p", {}, link(`/organizations/${org.slug}`, `Back to ${org.name}`)),
    );
  }
  const draftKey = editing ? `org-edit-${org.id}` : "org-new";
  const form = h(
    "form",
    { class: "form", novalidate: true, id: "org-form" },
    formAlert(),
    field("name", "Name", { value: org?.name, required: true, maxlength: F.name.maxLength }),
    field("slug", "Short name for links", {
      value: org?.slug,
      maxlength: F.slug.maxLength,
      spellcheck: "false",
      hint: editing
        ? "Lowercase letters, digits and hyphens, 3 to 64 characters. Changing it changes the organization's address."
        : "Optional: lowercase letters, digits and hyphens. Made from the name when left empty.",
    }),
    h(
      "div",
      { class: "field-row" },
      field("kind", "Kind", { options: [["", "Choose…"], ...enumOptions(F.kind.enum, ORG_KINDS)], value: org?.kind || "", required: true }),
      field("city", "City", { value: org?.city, required: true, maxlength: F.city.maxLength }),
    ),
    field("website", "Website", { type: "url", value: org?.website, maxlength: F.website.maxLength, placeholder: "https://", hint: "Starting with https:// or http://." }),
    field("description", "Description", { rows: 5, value: org?.description, maxlength: F.description.maxLength }),
    positionFields("latitude", "longitude", F.latitude, F.longitude, org || {}),
    editing
      ? field("archived", "Archived (hidden from the list; no new members)", { type: "checkbox", value: org.archived })
      : null,
    h("div", { class: "actions" }, submit(editing ? "Save changes" : "Create organization"), link(editing ? `/organizations/${org.slug}` : "/organizations", "Cancel", { class: "button secondary" })),
  );
  keepDraft(form, draftKey);
  onSubmit(form, async () => {
    const body = {
      name: value(form, "name"),
      kind: value(form, "kind") || undefined,
      city: value(form, "city"),
    };
    const slug = value(form, "slug");
    const website = value(form, "website");
    const description = form.elements.description.value.trim();
    const position = positionValues(form, "latitude", "longitude");
    let saved;
    if (editing) {
      if (slug !== org.slug) body.slug = slug;
      body.website = website || null;
      body.description = description || null;
      body.archived = value(form, "archived");
      Object.assign(body, position);
      saved = await patch(`/v1/organizations/${org.id}`, body, { version: org.version });
    } else {
      if (slug) body.slug = slug;
      if (website) body.website = website;
      if (description) body.description = description;
      if (position.latitude !== null || position.longitude !== null) Object.assign(body, position);
      if (!body.kind) {
        throw new ApiError(400, { detail: "Please choose a kind.", errors: [{ field: "kind", message: "choose one" }] });
      }
      saved = await post("/v1/organizations", body);
    }
    dropDraft(draftKey);
    flashNext(editing ? "The organization was saved." : `${saved.name} was created. You are its admin.`);
    navigate(`/organizations/${saved.slug}`);
  });

  let dangerZone = null;
  if (editing) {
    const delBtn = h("button", { type: "button", class: "button danger", id: "delete-org" }, "Delete organization");
    delBtn.addEventListener("click", async () => {
      const ok = await confirmDialog(`${org.name} and its memberships will be deleted. An organization with events or collaborations cannot be deleted: archive it instead.`, {
        title: `Delete ${org.name}?`,
        confirmLabel: "Delete",
        danger: true,
      });
      if (!ok) return;
      delBtn.disabled = true;
      try {
        await del(`/v1/organizations/${org.id}`, { version: org.version });
        dropDraft(draftKey);
        flashNext(`${org.name} was deleted.`);
        navigate("/organizations");
      } catch (err) {
        showError(err);
      } finally {
        delBtn.disabled = false;
      }
    });
    dangerZone = h("section", { class: "panel danger-zone", "aria-labelledby": "odel-h" }, h("h2", { id: "odel-h" }, "Delete"), delBtn);
  }

  return h(
    "section",
    { class: "page" },
    pageHeading(editing ? `Edit ${org.name}` : "Create an organization"),
    editing ? null : h("p", { class: "muted" }, "You will be its first admin, and can approve colleagues who ask to join."),
    draftNotice(form),
    form,
    dangerZone,
  );
}
