// How thank-you notes and milestones read, on a profile and in the profile settings.
import { h, link, time } from "../../lib/dom.js";

const ABOUT_PATH = { event: (id) => `/events/${id}`, collaboration: (id) => `/collaborations/${id}`, mentorship: (id) => `/mentorships/${id}` };

/** "for Harbour social" (a link where the reader can follow it), or null. */
export function aboutText(about, { links = true } = {}) {
  if (!about) return null;
  const title = about.type === "mentorship" ? `mentoring in ${about.title}` : about.title;
  const path = ABOUT_PATH[about.type]?.(about.id);
  return [" for ", links && path && about.type !== "mentorship" ? link(path, title) : title];
}

/** One thank-you note as a blockquote with who and when. */
export function thanksBody(t) {
  return [
    h("blockquote", { class: "thanks-text" }, h("p", {}, t.text)),
    h(
      "p",
      { class: "muted small" },
      "From ",
      t.from ? link(`/members/${t.from.id}`, t.from.display_name) : "a member",
      aboutText(t.about),
      " · ",
      time(t.created_at, { withTime: false }),
    ),
  ];
}

/** Milestones as a list, oldest first. */
export function milestoneList(items, id) {
  return h(
    "ul",
    { class: "milestones", id },
    items.map((m) => h("li", { dataset: { kind: m.kind } }, h("span", { class: "milestone-text" }, m.text), " ", h("span", { class: "muted small" }, "· ", time(m.at, { withTime: false })))),
  );
}

/** The sections a profile adds: the notes the member shows and, if they chose, milestones. */
export function celebrationSections(m) {
  const out = [];
  if (Array.isArray(m.milestones) && m.milestones.length) {
    out.push(h("section", { class: "panel", "aria-labelledby": "milestones-h" }, h("h2", { id: "milestones-h" }, "Milestones"), milestoneList(m.milestones, "profile-milestones")));
  }
  if (Array.isArray(m.thanks) && m.thanks.length) {
    out.push(
      h(
        "section",
        { class: "panel", "aria-labelledby": "thanks-h" },
        h("h2", { id: "thanks-h" }, "Thanks"),
        h("ul", { class: "cards", id: "profile-thanks" }, m.thanks.map((t) => h("li", { class: "card thanks", dataset: { id: t.id } }, thanksBody(t)))),
      ),
    );
  }
  return out;
}
