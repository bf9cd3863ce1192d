// Creating and editing an event: times typed on the wall clock of the event's own time
// zone, the organization it is for (one the member is an admin of), places and guests,
// and the advocacy fields; what was typed is kept as a draft. An edit is sent with the
// version it started from (If-Match): when another organizer saved meanwhile, the API
// answers 412 and the form says so, keeping what was typed. Editing an occurrence of a
// series first asks which of its events the change is for (PATCH ?scope=this|following|all);
// for the series' other events only what was changed is sent, and times are changed one
// date at a time (the API refuses them for several occurrences).
import { ApiError, get, patch, post } from "../../lib/api.js";
import { h, link, parseList } from "../../lib/dom.js";
import { draftNotice, dropDraft, enumOptions, field, formAlert, keepDraft, onSubmit, radioGroup, submit, value, withOption } from "../../lib/forms.js";
import { bodies } from "../../lib/limits.js";
import { positionFields, positionValues } from "../../lib/nearby.js";
import { adminOrganizationOptions } from "../../lib/organizations.js";
import { navigate } from "../../lib/router.js";
import { fromLocalInput, localZone, toLocalInput, validZone, zoneList } from "../../lib/time.js";
import { flashNext, pageHeading } from "../../lib/ui.js";
import { EVENT_KINDS } from "./item.js";
import { repeatsFieldset, repeatsRule, SCOPES } from "./repeats.js";

const F = bodies.EventCreate;

export async function eventFormView({ params }) {
  const editing = Boolean(params.id);
  const ev = editing ? await get(`/v1/events/${encodeURIComponent(params.id)}`) : null;
  const orgs = withOption(await adminOrganizationOptions(), ev?.organization?.slug, ev?.organization?.name);
  const zone = ev?.timezone || localZone();
  const draftKey = editing ? `event-edit-${ev.id}` : "event-new";
  const advocacyBox = h(
    "fieldset",
    { class: "group", id: "advocacy-fields", hidden: (ev?.kind || "") !== "advocacy" },
    h("legend", {}, "Advocacy"),
    field("target", "Target", { value: ev?.target, maxlength: F.target.maxLength, hint: "The body or meeting, e.g. the city council budget hearing." }),
    field("talking_points", "Talking points", { rows: 8, value: ev?.talking_points, maxlength: F.talking_points.maxLength, hint: "The script people speak from. Separate points with a blank line." }),
  );
  const form = h(
    "form",
    { class: "form", novalidate: true, id: "event-form" },
    formAlert(),
    field("title", "Title", { value: ev?.title, required: true, maxlength: F.title.maxLength }),
    h(
      "div",
      { class: "field-row" },
      field("kind", "Kind", { options: [["", "Choose…"], ...enumOptions(F.kind.enum, EVENT_KINDS)], value: ev?.kind || "", required: true }),
      field("organization", "Organization", {
        options: [["", "None (a personal event)"], ...orgs],
        value: ev?.organization?.slug || "",
        hint: orgs.length ? "Organizations you are an admin of." : "You are not an admin of any organization.",
      }),
    ),
    field("description", "Description", { rows: 6, value: ev?.description, maxlength: F.description.maxLength }),
    h(
      "fieldset",
      { class: "group" },
      h("legend", {}, "When"),
      h(
        "div",
        { class: "field-row datetimes" },
        field("starts_at", "Starts", { type: "datetime-local", value: ev ? toLocalInput(ev.starts_at, zone) : "", required: true }),
        field("ends_at", "Ends", { type: "datetime-local", value: ev ? toLocalInput(ev.ends_at, zone) : "", required: true }),
      ),
      field("timezone", "Time zone", { options: zoneList(zone).map((z) => [z, z.replace(/_/g, " ")]), value: zone, required: true, hint: "Start and end are read in this time zone." }),
    ),
    editing ? null : repeatsFieldset(),
    h(
      "fieldset",
      { class: "group" },
      h("legend", {}, "Where"),
      field("venue", "Venue", { value: ev?.venue, maxlength: F.venue.maxLength }),
      h("div", { class: "field-row" }, field("address", "Address", { value: ev?.address, maxlength: F.address.maxLength }), field("city", "City", { value: ev?.city, maxlength: F.city.maxLength })),
      positionFields("latitude", "longitude", F.latitude, F.longitude, ev || {}, "Where the venue is, in degrees (like 39.80 and -89.64), so that the event is found near a place and shows on calendars' maps. Leave both empty for none."),
      field("online_url", "Online link", { type: "url", value: ev?.online_url, maxlength: F.online_url.maxLength, placeholder: "https://" }),
      field("accessibility_notes", "Accessibility notes", { rows: 3, value: ev?.accessibility_notes, maxlength: F.accessibility_notes.maxLength, hint: "Step-free access, hearing loop, quiet room…" }),
    ),
    h(
      "fieldset",
      { class: "group" },
      h("legend", {}, "Places"),
      h(
        "div",
        { class: "field-row" },
        field("capacity", "Capacity", { type: "number", min: F.capacity.minimum, max: F.capacity.maximum, inputmode: "numeric", value: ev?.capacity ?? "", hint: "Leave empty for no limit. Lowering it never removes anyone." }),
        field("guest_limit", "Guests per member", { type: "number", min: F.guest_limit.minimum, max: F.guest_limit.maximum, inputmode: "numeric", value: String(ev?.guest_limit ?? 0), hint: `From ${F.guest_limit.minimum} to ${F.guest_limit.maximum}.` }),
      ),
    ),
    field("tags", "Tags", { value: (ev?.tags || []).join(", "), hint: `Separate with commas, up to ${F.tags.maxItems}.` }),
    advocacyBox,
    ev?.series_id ? radioGroup("scope", "This event repeats: change which events?", SCOPES, "this", { hint: "Past dates never change." }) : null,
    h("div", { class: "actions" }, submit(editing ? "Save changes" : "Create event"), link(editing ? `/events/${ev.id}` : "/events", "Cancel", { class: "button secondary" })),
  );
  form.elements.kind.addEventListener("change", () => {
    advocacyBox.hidden = form.elements.kind.value !== "advocacy";
  });
  keepDraft(form, draftKey);
  advocacyBox.hidden = form.elements.kind.value !== "advocacy";

  onSubmit(form, async () => {
    const tz = value(form, "timezone");
    const errors = [];
    const starts = fromLocalInput(value(form, "starts_at"), tz);
    const ends = fromLocalInput(value(form, "ends_at"), tz);
    if (!starts) errors.push({ field: "starts_at", message: "is required: a date and a time" });
    if (!ends) errors.push({ field: "ends_at", message: "is required: a date and a time" });
    if (!value(form, "kind")) errors.push({ field: "kind", message: "choose one" });
    if (!validZone(tz)) errors.push({ field: "timezone", message: "is not a time zone this browser knows" });
    const recurrence = editing ? null : repeatsRule(form, value(form, "starts_at"), errors);
    if (errors.length) throw new ApiError(400, { detail: "Please correct the marked fields.", errors });
    const text = (n) => {
      const v = form.elements.namedItem(n).value.trim();
      return v === "" ? null : v;
    };
    const cap = value(form, "capacity");
    const guests = value(form, "guest_limit");
    const num = (v) => (/^-?\d+$/.test(v) ? Number(v) : v);
    const kind = value(form, "kind");
    const body = {
      title: value(form, "title"),
      kind,
      description: text("description"),
      starts_at: starts,
      ends_at: ends,
      timezone: tz,
      venue: text("venue"),
      address: text("address"),
      city: text("city"),
      online_url: text("online_url"),
      accessibility_notes: text("accessibility_notes"),
      capacity: cap === "" ? null : num(cap),
      guest_limit: guests === "" ? 0 : num(guests),
      tags: parseList(value(form, "tags")),
      organization: value(form, "organization") || null,
      ...positionValues(form, "latitude", "longitude"),
    };
    if (recurrence) body.recurrence = recurrence;
    if (kind === "advocacy") {
      body.target = text("target");
      body.talking_points = text("talking_points");
    } else if (editing && (ev.target || ev.talking_points)) {
      body.target = null;
      body.talking_points = null;
    }
    if (!editing) {
      for (const k of Object.keys(body)) if (body[k] === null) delete body[k];
    } else if (body.organization === (ev.organization?.slug || null)) {
      delete body.organization;
    }
    const scope = ev?.series_id ? value(form, "scope") || "this" : null;
    if (scope && scope !== "this") {
      // The series' other events get what was changed here, never their own times.
      const same = (k) => JSON.stringify(body[k] ?? null) === JSON.stringify(k === "organization" ? ev.organization?.slug ?? null : ev[k] ?? null);
      if (!same("timezone") || Date.parse(body.starts_at) !== Date.parse(ev.starts_at) || Date.parse(body.ends_at) !== Date.parse(ev.ends_at)) {
        throw new ApiError(400, { detail: "Please correct the marked fields.", errors: [{ field: "scope", message: "times change one date at a time: choose \u201cThis event\u201d, or keep the times" }] });
      }
      for (const k of Object.keys(body)) if (same(k)) delete body[k];
    }
    const saved = editing
      ? await patch(`/v1/events/${ev.id}`, body, { version: ev.version, query: scope ? { scope } : undefined })
      : await post("/v1/events", body);
    dropDraft(draftKey);
    flashNext(editing ? "The event was saved." : "The event was created.");
    navigate(`/events/${saved.id}`);
  });
  return h(
    "section",
    { class: "page" },
    pageHeading(editing ? `Edit ${ev.title}` : "Create an event"),
    editing ? null : h("p", { class: "muted" }, "You will be its organizer. Fields marked * are required."),
    draftNotice(form),
    form,
  );
}
