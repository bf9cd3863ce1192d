// Find a mentor: mentors suggested for me (with their reasons in words, or near me:
// nearest first, with a rough distance), and browsing mentors by topic and city.
import { get } from "../../lib/api.js";
import { h, link, tagList } from "../../lib/dom.js";
import { field } from "../../lib/forms.js";
import { queries } from "../../lib/limits.js";
import { NEAR_KEYS, distancePill, nearFields } from "../../lib/nearby.js";
import { filterError, filterForm, search } from "../../lib/search.js";
import { pageHeading } from "../../lib/ui.js";
import { tabs } from "./common.js";

const Q = queries["/v1/mentors"];

// A suggestion shows why, in the words the API gives (its `reasons`: "You both attended
// ...", "You both belong to ...", "Mentors in ..., which you are interested in", "Also
// based in ..."); the score only orders them and is not shown.
function mentorCard(m, { reasons, openSlots, near } = {}) {
  const name = m.display_name || `Member ${m.id}`;
  const topics = m.mentoring?.topics || [];
  return h(
    "li",
    { class: "card mentor-card", dataset: { member: m.id } },
    h("p", { class: "card-title" }, link(`/members/${m.id}`, name), distancePill(near)),
    m.title || m.city ? h("p", { class: "muted small" }, [m.title, m.city].filter(Boolean).join(" · ")) : null,
    tagList(topics, `Mentoring topics of ${name}`),
    reasons?.length ? h("ul", { class: "reasons", "aria-label": `Why ${name} is suggested` }, reasons.map((r) => h("li", {}, r))) : null,
    openSlots !== undefined ? h("p", { class: "small" }, openSlots > 0 ? `${openSlots} open place${openSlots === 1 ? "" : "s"} for mentees` : "No open places right now") : null,
    openSlots === 0 ? null : h("p", {}, link(`/mentorships/new?mentor=${m.id}`, "Ask for mentoring", { class: "button small", "aria-label": `Ask for mentoring: ${name}` })),
  );
}

export async function mentorsView({ query }) {
  const suggestions = h("div", { id: "suggestions" });
  const near = Object.fromEntries(NEAR_KEYS.map((k) => [k, query.get(k) || ""]));
  const nearForm = filterForm({
    id: "suggestion-filters",
    label: "Mentors near me",
    path: "/mentors",
    keys: NEAR_KEYS,
    fields: nearFields(near),
    submitLabel: "Show suggestions",
  });
  try {
    const page = await get("/v1/mentors/suggestions", { query: { limit: 6, ...near } });
    suggestions.replaceChildren(
      page.data.length
        ? h("ul", { class: "cards grid", id: "suggestion-list" }, page.data.map((s) => mentorCard(s.member, { reasons: s.reasons, near: s })))
        : h("p", { class: "muted" }, near.near
          ? "No mentors who share their home area are that near."
          : "No suggestions yet. Add interests to your profile, join organizations and go to events: suggestions come from what you share with mentors."),
    );
  } catch (err) {
    if (near.near) filterError(nearForm)(err);
    suggestions.replaceChildren(h("p", { class: "muted" }, "Suggestions could not be loaded right now."));
  }
  const { form, results } = await search(query, {
    noun: "mentors",
    id: "mentor",
    path: "/mentors",
    keys: ["topic", "city"],
    fields: (f) => [field("topic", "Topic", { value: f.topic, maxlength: Q.topic.maxLength }), field("city", "City", { value: f.city, maxlength: Q.city.maxLength })],
    api: "/v1/mentors",
    renderItem: (x) => mentorCard(x.member, { openSlots: x.open_slots }),
  });
  return h(
    "section",
    { class: "page" },
    pageHeading("Find a mentor"),
    tabs("/mentors"),
    h("section", { class: "panel", "aria-labelledby": "sugg-h" }, h("h2", { id: "sugg-h" }, "Suggested for you"), h("p", { class: "muted small" }, "Ranked by what you have in common: people you met at events first, then shared organizations, topics you are interested in, and your city. Near me: mentors who share their home area, nearest first."), nearForm, suggestions),
    h("h2", {}, "Browse mentors"),
    form,
    results,
  );
}
