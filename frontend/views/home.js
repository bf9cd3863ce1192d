// The landing page (public feeds are fetched anonymously: a simple CORS request, no
// preflight): an introduction, and two community sections fed by endpoints other
// engineers are building now (GET /v1/events, GET /v1/activity). Their loaders treat a
// 404 as "not available yet", so the page works before and after those endpoints ship.
import { getOptional } from "../lib/api.js";
import { h, link, time } from "../lib/dom.js";
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
    .then((node) => body.replaceChildren(node))
    .catch(() => body.replaceChildren(h("p", { class: "muted" }, "This could not be loaded right now.")))
    .finally(() => el.removeAttribute("aria-busy"));
  return el;
}

function comingSoon(what) {
  return h("p", { class: "coming-soon" }, h("span", { class: "pill" }, "Coming soon"), " ", what);
}

async function loadEvents() {
  const page = await getOptional("/v1/events", { query: { limit: 5 }, quiet: true, auth: false });
  if (page === null) return comingSoon("Upcoming events will be listed here.");
  const items = Array.isArray(page.data) ? page.data : [];
  if (!items.length) return h("p", {}, "No upcoming events yet.");
  return h(
    "ul",
    { class: "cards compact" },
    items.map((ev) =>
      h(
        "li",
        { class: "card" },
        h("p", { class: "card-title" }, ev.title || "Untitled event"),
        h(
          "p",
          { class: "muted small" },
          time(ev.starts_at, { timeZone: ev.timezone }),
          ev.city ? ` · ${ev.city}` : null,
          ev.organization?.name ? ` · ${ev.organization.name}` : null,
          ev.status === "cancelled" ? " · Cancelled" : null,
        ),
      ),
    ),
  );
}

function activityText(item) {
  if (typeof item.text === "string") return item.text;
  if (typeof item.summary === "string") return item.summary;
  if (typeof item.title === "string") return item.title;
  const subject = item.subject || item.event || item.collaboration || {};
  const type = String(item.type || "activity").replace(/_/g, " ");
  return subject.title || subject.name ? `${type}: ${subject.title || subject.name}` : type;
}

async function loadActivity() {
  const page = await getOptional("/v1/activity", { query: { limit: 10 }, quiet: true, auth: false });
  if (page === null) return comingSoon("New events, recaps and collaborations will show up here.");
  const items = Array.isArray(page.data) ? page.data : Array.isArray(page.items) ? page.items : [];
  if (!items.length) return h("p", {}, "Nothing new yet.");
  return h(
    "ul",
    { class: "activity" },
    items.map((item) => h("li", {}, h("span", {}, activityText(item)), " ", h("span", { class: "muted small" }, time(item.created_at || item.date_published)))),
  );
}

export function homeView() {
  const me = currentMember();
  const cta = isSignedIn()
    ? h(
        "p",
        { class: "cta" },
        me ? `Welcome back, ${me.display_name}. ` : "Welcome back. ",
        link("/members", "Find colleagues", { class: "button" }),
        " ",
        link("/organizations", "Browse organizations", { class: "button secondary" }),
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
