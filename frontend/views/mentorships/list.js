// My mentorships, as mentor and as mentee.
import { get } from "../../lib/api.js";
import { h, link, time } from "../../lib/dom.js";
import { loadMore, pageHeading } from "../../lib/ui.js";
import { STATUS, tabs } from "./common.js";

function other(x) {
  return x.role === "mentor" ? x.mentee : x.mentor;
}

function mentorshipCard(x) {
  const o = other(x);
  return h(
    "li",
    { class: `card mentorship-card status-${x.status}`, dataset: { id: x.id } },
    h(
      "p",
      { class: "card-title" },
      link(`/mentorships/${x.id}`, `${x.topic}: ${x.role === "mentor" ? "mentoring" : "mentored by"} ${o?.display_name || "a member"}`),
      h("span", { class: "pill" }, STATUS[x.status] || x.status),
    ),
    h("p", { class: "muted small" }, `You are the ${x.role}. `, "Since ", time(x.created_at, { withTime: false }), x.check_in_count ? ` · ${x.check_in_count} check-in${x.check_in_count === 1 ? "" : "s"}` : null),
  );
}

export async function mentorshipsView({ query }) {
  const role = ["mentor", "mentee"].includes(query.get("role")) ? query.get("role") : "";
  const list = h("ul", { class: "cards", id: "mentorship-list" });
  const pager = loadMore({
    list,
    noun: "mentorships",
    emptyText: "No mentorships yet.",
    fetchPage: (cursor) => get("/v1/mentorships", { query: { role, limit: 20, cursor } }),
    renderItem: mentorshipCard,
  });
  await pager.start();
  const roles = [["", "All"], ["mentee", "As mentee"], ["mentor", "As mentor"]];
  return h(
    "section",
    { class: "page" },
    pageHeading("My mentorships", link("/mentors", "Find a mentor", { class: "button" })),
    tabs("/mentorships"),
    h("nav", { class: "subnav", "aria-label": "Role" }, h("ul", {}, roles.map(([r, label]) => h("li", {}, link(r ? `/mentorships?role=${r}` : "/mentorships", label, { "aria-current": r === role ? "page" : null }))))),
    list,
    pager.element,
  );
}
