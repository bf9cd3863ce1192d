// My events (#/me/events?when=past&relation=going): the events I organize, am going to,
// am waitlisted for (and at which place) or am invited to, upcoming or past
// (GET /v1/me/events); and my personal calendar feed: subscribe in one click (webcal://,
// made on that click when this browser does not have it yet),
// copy its https link, a short how-to for Google, Apple and Outlook, make a new link
// (the old one stops working) or turn it off (POST and DELETE /v1/me/calendar-key).
import { del, get, post } from "../../lib/api.js";
import { h, link } from "../../lib/dom.js";
import { current } from "../../lib/router.js";
import { calendarLink, forgetCalendarLink, rememberCalendarLink } from "../../lib/state.js";
import { announce, confirmDialog, loadMore, pageHeading, showError } from "../../lib/ui.js";
import { eventItem } from "../events/item.js";

const WHEN = [
  ["upcoming", "Upcoming"],
  ["past", "Past"],
];
const RELATIONS = [
  ["", "All"],
  ["going", "Going"],
  ["waitlisted", "Waitlisted"],
  ["organizing", "Organizing"],
  ["invited", "Invited"],
];

function href(when, relation) {
  const q = new URLSearchParams();
  if (when !== "upcoming") q.set("when", when);
  if (relation) q.set("relation", relation);
  const s = q.toString();
  return `/me/events${s ? `?${s}` : ""}`;
}

/** What I am to the event, in words: organizing, going, waitlisted (place N), invited. */
function stateLine(x, past) {
  const r = x.event.my_rsvp;
  const parts = [];
  if (x.relations.includes("organizing")) parts.push(past ? "You organized it." : "You are organizing it.");
  if (r?.status === "going") parts.push(past ? "You went." : r.guests ? `You are going, with ${r.guests} guest${r.guests === 1 ? "" : "s"}.` : "You are going.");
  if (r?.status === "waitlisted") {
    parts.push(past ? `You were number ${r.waitlist_position} on the waitlist.` : `You are on the waitlist: number ${r.waitlist_position} in line. You get a place, and an email, when one frees up.`);
  }
  if (x.relations.includes("invited")) parts.push("You are invited: answer on ", link("/invitations", "your invitations"), ".");
  return h("p", { class: "my-event-state" }, parts.flatMap((p, i) => (i ? [" ", p] : [p])));
}

function myEventItem(x, past) {
  const li = eventItem(x.event, { showDate: true });
  li.dataset.relations = x.relations.join(" ");
  li.append(stateLine(x, past));
  return li;
}

/**
 * The personal calendar panel. "Subscribe in my calendar app" is one click: a webcal://
 * link when this browser has the member's calendar link (kept when it was made: the API
 * shows a key only then), otherwise a button that makes the link and opens it at once.
 */
function calendarPanel() {
  const out = h("div", { id: "calendar-link", "aria-live": "polite" });
  const subscribeSlot = h("div", { class: "subscribe-slot" });
  const make = h("button", { type: "button", class: "button secondary", id: "calendar-make" }, "Get my calendar link");
  const revoke = h("button", { type: "button", class: "button secondary", id: "calendar-revoke" }, "Turn off my calendar link");

  /** The subscribe control: the link itself when known, else the one-click maker. */
  function drawSubscribe(key) {
    if (key) {
      subscribeSlot.replaceChildren(h("a", { href: key.webcal_url, class: "button", id: "calendar-subscribe" }, "Subscribe in my calendar app"));
      return;
    }
    const button = h("button", { type: "button", class: "button", id: "calendar-subscribe" }, "Subscribe in my calendar app");
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const made = await mint();
        announce("Your calendar link is ready: your calendar app opens to subscribe.");
        document.getElementById("calendar-subscribe")?.focus();
        // Open it now: the one click was the member's (a calendar app takes webcal://).
        location.href = made.webcal_url;
      } catch (err) {
        button.disabled = false;
        showError(err);
      }
    });
    subscribeSlot.replaceChildren(
      button,
      h("p", { class: "small", id: "calendar-subscribe-note" }, "This browser has no calendar link of yours yet: subscribing makes one. A calendar you subscribed from another device or browser then stops updating."),
    );
  }

  async function mint() {
    const key = await post("/v1/me/calendar-key");
    rememberCalendarLink(key);
    show(key);
    return key;
  }

  make.addEventListener("click", async () => {
    const again = make.dataset.made === "1";
    if (again) {
      const ok = await confirmDialog("Calendars subscribed with your current link stop updating until you subscribe again with the new one.", {
        title: "Make a new calendar link?",
        confirmLabel: "Make a new link",
      });
      if (!ok) return;
    }
    make.disabled = true;
    try {
      await mint();
      announce(again ? "Your new calendar link is ready; the old one no longer works." : "Your calendar link is ready.");
    } catch (err) {
      showError(err);
    } finally {
      make.disabled = false;
    }
  });

  revoke.addEventListener("click", async () => {
    const ok = await confirmDialog("Calendars subscribed with your link stop updating. You can make a new link at any time.", {
      title: "Turn off your calendar link?",
      confirmLabel: "Turn off",
      danger: true,
    });
    if (!ok) return;
    revoke.disabled = true;
    try {
      await del("/v1/me/calendar-key");
      forgetCalendarLink();
      drawSubscribe(null);
      out.replaceChildren(h("p", { class: "notice notice-info" }, "Your calendar link is turned off: calendars subscribed with it stop updating."));
      delete make.dataset.made;
      make.textContent = "Get my calendar link";
      announce("Your calendar link is turned off.");
    } catch (err) {
      showError(err);
    } finally {
      revoke.disabled = false;
    }
  });

  function show(key) {
    drawSubscribe(key);
    make.dataset.made = "1";
    make.textContent = "Make a new link";
    const input = h("input", { type: "text", readonly: true, id: "calendar-url", value: key.url, class: "mono", "aria-describedby": "calendar-url-note" });
    const copy = h("button", { type: "button", class: "button secondary small", id: "calendar-copy" }, "Copy link");
    copy.addEventListener("click", async () => {
      input.select();
      try {
        await navigator.clipboard.writeText(key.url);
        announce("Calendar link copied.");
      } catch {
        announce("Press Ctrl+C (or Cmd+C) to copy the selected link.");
      }
    });
    out.replaceChildren(
      h(
        "div",
        { class: "notice notice-ok token-box" },
        h("label", { for: "calendar-url" }, "Your calendar link"),
        h("div", { class: "copy-row" }, input, copy),
        h("p", { id: "calendar-url-note", class: "small" }, "Keep it to yourself: anyone with the link sees the events you are going to. Making a new one stops this one."),
      ),
    );
  }

  const known = calendarLink();
  if (known) show(known);
  else drawSubscribe(null);

  return h(
    "section",
    { class: "panel", "aria-labelledby": "cal-h" },
    h("h2", { id: "cal-h" }, "Your calendar"),
    h("p", {}, "The events you are going to, in your own calendar app, kept up to date: new RSVPs appear, changes follow, cancelled events drop out."),
    subscribeSlot,
    out,
    h("div", { class: "actions" }, make, revoke),
    h(
      "details",
      { class: "howto" },
      h("summary", {}, "How to subscribe"),
      h(
        "ul",
        {},
        h("li", {}, h("strong", {}, "Apple Calendar, Outlook (desktop): "), "click \u201cSubscribe in my calendar app\u201d and confirm."),
        h("li", {}, h("strong", {}, "Google Calendar: "), "copy the link, then in Google Calendar on the web choose \u201cOther calendars\u201d \u2192 \u201c+\u201d \u2192 \u201cFrom URL\u201d and paste it."),
        h("li", {}, h("strong", {}, "Outlook on the web: "), "copy the link, then choose \u201cAdd calendar\u201d \u2192 \u201cSubscribe from web\u201d and paste it."),
      ),
      h("p", { class: "muted small" }, "Calendar apps check for changes every few hours, at their own pace."),
    ),
  );
}

export async function myEventsView() {
  const { query } = current();
  const when = query.get("when") === "past" ? "past" : "upcoming";
  const relation = RELATIONS.some(([v]) => v && v === query.get("relation")) ? query.get("relation") : "";
  const past = when === "past";

  const list = h("ul", { class: "cards", id: "my-events" });
  const which = { going: "events you are going to", waitlisted: "events you are waitlisted for", organizing: "events you organize", invited: "events you are invited to" }[relation] || "events";
  const more = loadMore({
    list,
    noun: "events",
    emptyText: `No ${past ? "past" : "upcoming"} ${which}.`,
    fetchPage: (cursor) => get("/v1/me/events", { query: { when, relation, cursor, limit: 20 } }),
    renderItem: (x) => myEventItem(x, past),
  });
  await more.start();

  return h(
    "section",
    { class: "page" },
    pageHeading("My events"),
    h(
      "nav",
      { class: "subnav", "aria-label": "Upcoming or past" },
      h("ul", {}, WHEN.map(([v, label]) => h("li", {}, link(href(v, relation), label, { "aria-current": v === when ? "page" : null })))),
    ),
    h(
      "nav",
      { class: "filter-links", "aria-label": "Show" },
      h("ul", { class: "chips" }, RELATIONS.map(([v, label]) => h("li", {}, link(href(when, v), label, { class: "chip", "aria-current": v === relation ? "true" : null })))),
    ),
    list,
    more.element,
    calendarPanel(),
  );
}
