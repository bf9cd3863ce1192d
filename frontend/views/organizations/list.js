// Organizations: browse the region's libraries, branches and associations by words, city
// and kind, or near me (nearest first, with distances).
import { h, link } from "../../lib/dom.js";
import { enumOptions, field } from "../../lib/forms.js";
import { queries } from "../../lib/limits.js";
import { NEAR_KEYS, distancePill, nearFields } from "../../lib/nearby.js";
import { searchPage } from "../../lib/search.js";
import { isSignedIn } from "../../lib/state.js";
import { ORG_KINDS, orgFacts } from "./kinds.js";

const Q = queries["/v1/organizations"];

function membershipLabel(ms) {
  if (!ms) return null;
  if (ms.status === "pending") return "Request pending";
  return ms.role === "admin" ? "You are an admin" : "You are a member";
}

function orgCard(o) {
  return h(
    "li",
    { class: "card org-card" },
    h("p", { class: "card-title" }, link(`/organizations/${o.slug}`, o.name), o.membership ? h("span", { class: "pill" }, membershipLabel(o.membership)) : null, distancePill(o)),
    h("p", { class: "muted small" }, orgFacts(o)),
    o.description ? h("p", { class: "small clamp" }, o.description) : null,
  );
}

export async function orgListView({ query }) {
  return searchPage(query, {
    title: "Organizations",
    action: isSignedIn() ? link("/organizations/new", "Create an organization", { class: "button" }) : null,
    intro: "Libraries, branches and associations of the region.",
    noun: "organizations",
    id: "org",
    path: "/organizations",
    keys: ["q", "city", "kind", ...NEAR_KEYS],
    fields: (f) => [
      field("q", "Search", { type: "search", value: f.q, maxlength: Q.q.maxLength }),
      field("city", "City", { value: f.city, maxlength: Q.city.maxLength }),
      field("kind", "Kind", { options: [["", "Any kind"], ...enumOptions(Q.kind.enum, ORG_KINDS)], value: f.kind }),
      ...nearFields(f, { home: true }),
    ],
    api: "/v1/organizations",
    renderItem: orgCard,
  });
}
