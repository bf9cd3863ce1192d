// Collaborations between libraries: browse them by status, skill wanted, organization and
// words.
import { h, link, tagList } from "../../lib/dom.js";
import { enumOptions, field, withOption } from "../../lib/forms.js";
import { queries } from "../../lib/limits.js";
import { organizationOptions } from "../../lib/organizations.js";
import { searchPage } from "../../lib/search.js";
import { isSignedIn } from "../../lib/state.js";
import { CO_STATUS } from "./status.js";

const Q = queries["/v1/collaborations"];

function collabCard(c) {
  return h(
    "li",
    { class: "card collab-card", dataset: { id: c.id } },
    h("p", { class: "card-title" }, link(`/collaborations/${c.id}`, c.title), h("span", { class: `pill status-${c.status}` }, CO_STATUS[c.status] || c.status), c.hidden ? h("span", { class: "pill pill-bad" }, "Hidden") : null),
    h("p", { class: "muted small" }, `${c.participant_count} participant${c.participant_count === 1 ? "" : "s"}`, c.organization ? ` · ${c.organization.name}` : null),
    h("p", { class: "small clamp" }, c.summary),
    tagList(c.skills_wanted, `Skills wanted by ${c.title}`),
  );
}

export async function collabListView({ query }) {
  const orgs = withOption(await organizationOptions(), query.get("organization"));
  return searchPage(query, {
    title: "Collaborations",
    action: isSignedIn() ? link("/collaborations/new", "Propose a collaboration", { class: "button" }) : null,
    intro: "Shared projects across libraries: pool skills and split costs.",
    noun: "collaborations",
    id: "collab",
    path: "/collaborations",
    keys: ["status", "skill", "organization", "q"],
    fields: (f) => [
      field("q", "Search", { type: "search", value: f.q, maxlength: Q.q.maxLength }),
      field("status", "Status", { options: [["", "Any status"], ...enumOptions(Q.status.enum, CO_STATUS)], value: f.status }),
      field("skill", "Skill wanted", { value: f.skill, maxlength: Q.skill.maxLength }),
      field("organization", "Organization", { options: [["", "Any organization"], ...orgs], value: f.organization }),
    ],
    api: "/v1/collaborations",
    renderItem: collabCard,
  });
}
