// An event as a card in a list (the agenda, the landing page), and the labels of the
// event kinds (the kinds themselves come from the contract: limits.js).
import { h, link } from "../../lib/dom.js";
import { distanceLabel } from "../../lib/nearby.js";
import { clock, eventWhen } from "../../lib/time.js";

export const EVENT_KINDS = {
  social: "Social",
  meetup: "Meetup",
  training: "Training",
  tour: "Tour",
  advocacy: "Advocacy",
  celebration: "Celebration",
  conference: "Conference",
};

export function kindLabel(kind) {
  return EVENT_KINDS[kind] || kind;
}

/** An event as a card (<li>): title, kind, cancelled, the reader's RSVP, when, where and places. */
export function eventItem(ev, { showDate = false } = {}) {
  const cancelled = ev.status === "cancelled";
  const places =
    ev.capacity === null || ev.capacity === undefined
      ? null
      : ev.places_left > 0
        ? `${ev.places_left} place${ev.places_left === 1 ? "" : "s"} left`
        : ev.waitlist_count > 0
          ? `Full, ${ev.waitlist_count} on the waitlist`
          : "Full";
  return h(
    "li",
    { class: `card event-card${cancelled ? " cancelled" : ""}`, dataset: { id: ev.id } },
    h(
      "p",
      { class: "card-title" },
      link(`/events/${ev.id}`, ev.title),
      " ",
      h("span", { class: `pill kind-${ev.kind}` }, kindLabel(ev.kind)),
      cancelled ? h("span", { class: "pill pill-bad" }, "Cancelled") : null,
      ev.my_rsvp ? h("span", { class: "pill pill-accent" }, rsvpShort(ev.my_rsvp)) : null,
    ),
    h(
      "p",
      { class: "muted small" },
      showDate ? eventWhen(ev) : [h("time", { datetime: ev.starts_at }, `${clock(ev.starts_at, ev.timezone)} – ${clock(ev.ends_at, ev.timezone)}`), ` (${ev.timezone})`],
      ev.city ? ` · ${ev.city}` : null,
      ev.organization ? ` · ${ev.organization.name}` : null,
      distanceLabel(ev) ? ` · ${distanceLabel(ev)}` : null,
    ),
    places || ev.going_count ? h("p", { class: "small" }, `${ev.going_count} going${places ? ` · ${places}` : ""}`) : null,
  );
}

function rsvpShort(r) {
  return { going: "You're going", waitlisted: `Waitlist #${r.waitlist_position}`, maybe: "Maybe", not_going: "Not going" }[r.status] || r.status;
}
