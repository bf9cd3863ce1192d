// What the mentoring views share: their tabs (Find a mentor, My mentorships) and the
// labels of a mentorship's status.
import { h, link } from "../../lib/dom.js";

export const STATUS = {
  requested: "Requested",
  accepted: "Accepted",
  declined: "Declined",
  withdrawn: "Withdrawn",
  completed: "Completed",
  cancelled: "Cancelled",
};

/** The mentoring tabs, the one for `path` marked current. */
export function tabs(path) {
  const items = [["/mentors", "Find a mentor"], ["/mentorships", "My mentorships"]];
  return h("nav", { class: "subnav", "aria-label": "Mentoring" }, h("ul", {}, items.map(([p, label]) => h("li", {}, link(p, label, { "aria-current": p === path ? "page" : null })))));
}
