// An event's sign-up list on its page: the slots ("bring snacks" x 5), how many places
// are left, who signed up (organizers and members going see names), signing up and
// releasing a place for members who are going, and the organizers' tools to add, resize
// and remove slots.
import { ApiError, del, get, patch, post, put } from "../../lib/api.js";
import { h, link, replace } from "../../lib/dom.js";
import { field, formAlert, onSubmit, submit } from "../../lib/forms.js";
import { bodies } from "../../lib/limits.js";
import { isSignedIn } from "../../lib/state.js";
import { announce, confirmDialog, showError } from "../../lib/ui.js";

const F = bodies.SignupSlotCreate;
const CLAIM = bodies.SignupClaim;

function placesText(s) {
  return `${s.claimed_count} of ${s.places} signed up${s.places_left ? `, ${s.places_left} left` : ", full"}`;
}

/**
 * The sign-up panel of event `ev`: `organizer` when the viewer manages it. Loads the slots
 * itself; empty (and hidden) when the event has none and the viewer cannot add any.
 */
export function signupsPanel(ev, { organizer }) {
  const section = h("section", { class: "panel signups-panel", "aria-labelledby": "signups-h", id: "signups" }, h("h2", { id: "signups-h" }, "Sign-up list"));
  const open = ev.status !== "cancelled" && new Date(ev.ends_at).getTime() > Date.now();
  const going = ev.my_rsvp?.status === "going";
  const body = h("div", { class: "signups-body" }, h("p", { class: "muted" }, "Loading the sign-up list…"));
  section.append(body);
  section.hidden = true;

  async function load(focusId, message) {
    let slots;
    try {
      slots = (await get(`/v1/events/${ev.id}/slots`)).data;
    } catch (err) {
      if (err instanceof ApiError && err.handled) return;
      replace(body, h("p", { class: "muted" }, "The sign-up list could not be loaded."));
      section.hidden = false;
      return;
    }
    section.hidden = !slots.length && !(organizer && open);
    replace(body, [
      slots.length
        ? h("ul", { class: "cards slots", id: "slot-list" }, slots.map(slotItem))
        : h("p", { class: "muted" }, "No sign-up slots yet."),
      !going && isSignedIn() && open && slots.length && !organizer ? h("p", { class: "muted small" }, "RSVP as going to sign up.") : null,
      !isSignedIn() && slots.length ? h("p", { class: "small" }, link(`/login?next=${encodeURIComponent(`/events/${ev.id}`)}`, "Log in"), " and RSVP to sign up.") : null,
      organizer && open ? addForm() : null,
    ]);
    if (message) announce(message);
    if (focusId) document.getElementById(focusId)?.focus();
  }

  function slotItem(s) {
    const li = h(
      "li",
      { class: "card slot", dataset: { id: s.id } },
      h("p", { class: "card-title" }, h("span", { class: "slot-title" }, s.title), s.claimed_by_me ? h("span", { class: "pill pill-accent" }, "You signed up") : null),
      s.note ? h("p", { class: "small" }, s.note) : null,
      h("p", { class: "slot-places small", id: `slot-${s.id}-places`, tabindex: "-1" }, placesText(s)),
      Array.isArray(s.claims) && s.claims.length
        ? h("ul", { class: "people small", "aria-label": `Signed up for ${s.title}` }, s.claims.map((c) => h("li", {}, link(`/members/${c.member.id}`, c.member.display_name), c.note ? ` (${c.note})` : null)))
        : null,
    );
    const actions = h("div", { class: "actions" });
    if (open && going && s.claimed_by_me) {
      const release = h("button", { type: "button", class: "button secondary small", "aria-label": `Release my place: ${s.title}` }, "Release my place");
      release.addEventListener("click", async () => {
        release.disabled = true;
        try {
          await del(`/v1/events/${ev.id}/slots/${s.id}/claim`);
          await load(`slot-${s.id}-places`, `You released your place in "${s.title}".`);
        } catch (err) {
          release.disabled = false;
          showError(err);
        }
      });
      actions.append(release);
    } else if (open && going && s.places_left > 0) {
      const form = h(
        "form",
        { class: "form inline-form claim-form", novalidate: true, "aria-label": `Sign up: ${s.title}` },
        formAlert(),
        field("note", "What you bring or do (optional)", { maxlength: CLAIM.note.maxLength, id: `claim-note-${s.id}` }),
        submit("Sign up", { cls: "button small" }),
      );
      onSubmit(form, async () => {
        const note = form.elements.note.value.trim();
        await put(`/v1/events/${ev.id}/slots/${s.id}/claim`, note ? { note } : {});
        await load(`slot-${s.id}-places`, `You signed up for "${s.title}".`);
      });
      actions.append(form);
    }
    if (organizer && open) actions.append(resizeForm(s), removeButton(s));
    if (actions.childNodes.length) li.append(actions);
    return li;
  }

  function resizeForm(s) {
    const form = h(
      "form",
      { class: "form inline-form", novalidate: true, "aria-label": `Places for ${s.title}` },
      formAlert(),
      field("places", "Places", { type: "number", value: String(s.places), min: Math.max(F.places.minimum, s.claimed_count), max: F.places.maximum, inputmode: "numeric", id: `slot-places-${s.id}` }),
      submit("Save places", { cls: "button secondary small" }),
    );
    onSubmit(form, async () => {
      const n = Number(form.elements.places.value);
      await patch(`/v1/events/${ev.id}/slots/${s.id}`, { places: Number.isInteger(n) ? n : form.elements.places.value });
      await load(`slot-${s.id}-places`, `"${s.title}" now has ${n} places.`);
    });
    return form;
  }

  function removeButton(s) {
    const b = h("button", { type: "button", class: "button danger small", "aria-label": `Remove the slot ${s.title}` }, "Remove");
    b.addEventListener("click", async () => {
      const ok = await confirmDialog(s.claimed_count ? `${s.claimed_count} member${s.claimed_count === 1 ? " has" : "s have"} signed up for it.` : "Nobody has signed up for it yet.", {
        title: `Remove "${s.title}"?`,
        confirmLabel: "Remove",
        danger: true,
      });
      if (!ok) return;
      try {
        await del(`/v1/events/${ev.id}/slots/${s.id}`);
        await load("signups-h", `"${s.title}" was removed.`);
      } catch (err) {
        showError(err);
      }
    });
    return b;
  }

  function addForm() {
    const form = h(
      "form",
      { class: "form", id: "slot-form", novalidate: true, "aria-labelledby": "slot-form-h" },
      h("h3", { id: "slot-form-h" }, "Add a slot"),
      formAlert(),
      h(
        "div",
        { class: "field-row" },
        field("title", "What", { required: true, maxlength: F.title.maxLength, hint: "For example: bring snacks, set-up crew, speaker at the hearing." }),
        field("places", "Places", { type: "number", required: true, value: "1", min: F.places.minimum, max: F.places.maximum, inputmode: "numeric" }),
      ),
      field("note", "Note (optional)", { maxlength: F.note.maxLength }),
      h("div", { class: "actions" }, submit("Add slot")),
    );
    onSubmit(form, async () => {
      const n = Number(form.elements.places.value);
      const note = form.elements.note.value.trim();
      const s = await post(`/v1/events/${ev.id}/slots`, {
        title: form.elements.title.value.trim(),
        places: Number.isInteger(n) ? n : form.elements.places.value,
        note: note || null,
      });
      await load(`slot-${s.id}-places`, `"${s.title}" was added to the sign-up list.`);
    });
    return form;
  }

  load();
  return section;
}
