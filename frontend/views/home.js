// The landing page (public feeds are fetched anonymously: a simple CORS request, no
// preflight): an introduction, the next upcoming public events and the latest community
// activity. A section that cannot be loaded says so and leaves the rest of the page be.
import { get } from "../lib/api.js";
import { h, link } from "../lib/dom.js";
import { activityItem } from "./activity.js";
import { eventItem } from "./events/item.js";
import { currentMember, isSignedIn } from "../lib/state.js";

function section(id, title, intro, load) {
  const headingId = `${id}-heading`;
  const body = h("div", { class: "section-body", "aria-live": "polite" }, h("p", { class: "muted" }, "Loading…"));
  const el = h(
    "section",
    { class: "home-section", id, "aria-labelledby": headingId, "aria-busy": "true" },
    h("h2", { id: headingId }, title),
    h("p", { class: "muted" }, intro),
    body,
  );
  load()
    .then((node) => body.replaceChildren(...[node].flat()))
    .catch(() => body.replaceChildren(h("p", { class: "muted" }, "This could not be loaded right now.")))
    .finally(() => el.removeAttribute("aria-busy"));
  return el;
}

async function loadEvents() {
  const page = await get("/v1/events", { query: { limit: 5 }, quiet: true, auth: false });
  const items = Array.isArray(page.data) ? page.data : [];
  if (!items.length) return h("p", {}, "No upcoming events yet. ", link("/events", "See all events"), ".");
  return [
    h("ul", { class: "cards compact", id: "home-events" }, items.map((ev) => eventItem(ev, { showDate: true }))),
    h("p", {}, link("/events", "All upcoming events"), " · ", link("/events?view=month", "Month calendar")),
  ];
}

async function loadActivity() {
  const page = await get("/v1/activity", { query: { limit: 8 }, quiet: true, auth: false });
  const items = Array.isArray(page.data) ? page.data : [];
  if (!items.length) return h("p", {}, "Nothing new yet.");
  return [
    h("ul", { class: "activity", id: "home-activity" }, items.map((item) => activityItem(item, { compact: true }))),
    h("p", {}, link("/activity", "All community activity")),
  ];
}

export function homeView() {
  const me = currentMember();
  const cta = isSignedIn()
    ? h(
        "p",
        { class: "cta" },
        me ? `Welcome back, ${me.display_name}. ` : "Welcome back. ",
        link("/events", "Find events", { class: "button" }),
        " ",
        link("/members", "Find colleagues", { class: "button secondary" }),
        " ",
        link("/mentors", "Find a mentor", { class: "button secondary" }),
      )
    : h(
        "p",
        { class: "cta" },
        link("/register", "Join Interlibrary", { class: "button" }),
        " ",
        link("/login", "Log in", { class: "button secondary" }),
      );
  return h(
    "div",
    { class: "page home" },
    h(
      "section",
      { class: "hero", "aria-labelledby": "home-title" },
      h("h1", { id: "home-title", tabindex: "-1" }, "Bringing a region's library staff together"),
      h(
        "p",
        { class: "lede" },
        "Interlibrary is a shared home for people who work in libraries across a region: public, academic, school and special libraries alike.",
      ),
      h(
        "ul",
        { class: "features" },
        h("li", {}, h("strong", {}, "Meet"), " at socials, meetups, trainings and tours, and show up together at advocacy events."),
        h("li", {}, h("strong", {}, "Learn"), " from each other through mentoring between colleagues."),
        h("li", {}, h("strong", {}, "Work together"), " on collaborations that share skills and costs across organizations."),
      ),
      cta,
    ),
    h(
      "div",
      { class: "home-grid" },
      section("upcoming-events", "Upcoming events", "Socials, meetups, trainings and tours near you.", loadEvents),
      section("community-activity", "Community activity", "What colleagues across the region have been up to.", loadActivity),
    ),
  );
}
