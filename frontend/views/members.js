// The member directory (search and filters, keyset "Load more") and member profiles (with
// the thanks and milestones the member shows, and "Send a message" and "Say thanks"), with
// suspend / lift suspension for site admins.
import { ApiError, get, post } from "../lib/api.js";
import { h, link, tagList, time } from "../lib/dom.js";
import { field, withOption } from "../lib/forms.js";
import { queries } from "../lib/limits.js";
import { NEAR_KEYS, distancePill, nearFields } from "../lib/nearby.js";
import { organizationOptions } from "../lib/organizations.js";
import { searchPage } from "../lib/search.js";
import { currentMember, isSignedIn, isSiteAdmin } from "../lib/state.js";
import { announce, confirmDialog, pageHeading, row, showError } from "../lib/ui.js";
import { celebrationSections } from "./thanks/common.js";

const FILTERS = ["q", "skill", "interest", "city", "organization", "mentoring", ...NEAR_KEYS];
const Q = queries["/v1/members"];

function memberCard(m) {
  const name = m.display_name || `Member ${m.id}`;
  return h(
    "li",
    { class: "card member-card" },
    h(
      "p",
      { class: "card-title" },
      link(`/members/${m.id}`, name),
      m.pronouns ? h("span", { class: "muted small" }, ` (${m.pronouns})`) : null,
      m.mentoring?.available ? h("span", { class: "pill pill-accent" }, "Mentor") : null,
      distancePill(m),
    ),
    m.title || m.city ? h("p", { class: "muted small" }, [m.title, m.city].filter(Boolean).join(" · ")) : null,
    m.affiliations?.length ? h("p", { class: "small" }, m.affiliations.map((a) => a.name).join(", ")) : null,
    tagList(m.skills, `Skills of ${name}`),
  );
}

export async function directoryView({ query }) {
  const orgs = withOption(await organizationOptions(), query.get("organization"));
  return searchPage(query, {
    title: "Members",
    intro: "Colleagues across the region's libraries. You only see what each member chose to share. Near me lists those who set a home area, nearest first, with only a rough distance.",
    noun: "members",
    id: "member",
    path: "/members",
    keys: FILTERS,
    checked: { mentoring: "available" },
    fields: (q) => [
      field("q", "Name or keyword", { type: "search", value: q.q, maxlength: Q.q.maxLength }),
      field("skill", "Skill", { value: q.skill, maxlength: Q.skill.maxLength }),
      field("interest", "Interest", { value: q.interest, maxlength: Q.interest.maxLength }),
      field("city", "City", { value: q.city, maxlength: Q.city.maxLength }),
      field("organization", "Organization", { options: [["", "Any organization"], ...orgs], value: q.organization }),
      field("mentoring", "Mentors only", { type: "checkbox", value: q.mentoring === "available" }),
      ...nearFields(q),
    ],
    api: "/v1/members",
    apiQuery: (q) => ({ ...q, mentoring: q.mentoring === "available" ? "available" : undefined }),
    renderItem: memberCard,
  });
}

export async function memberView({ params }) {
  if (!/^[1-9][0-9]{0,17}$/.test(params.id)) throw new ApiError(404, { detail: "No such member." });
  const m = await get(`/v1/members/${params.id}`);
  const me = currentMember();
  const isMe = me && me.id === m.id;
  const name = m.display_name || `Member ${m.id}`;

  const about = h(
    "dl",
    { class: "facts" },
    row("Pronouns", m.pronouns),
    row("Job title", m.title),
    row("City", m.city),
    row("Member since", time(m.member_since, { withTime: false })),
  );
  const sections = [
    h("section", { class: "panel", "aria-labelledby": "about-h" }, h("h2", { id: "about-h" }, "About"), about, m.bio ? h("p", { class: "bio" }, m.bio) : null,
      m.skills?.length ? [h("h3", {}, "Skills"), tagList(m.skills, "Skills")] : null,
      m.interests?.length ? [h("h3", {}, "Interests"), tagList(m.interests, "Interests")] : null),
  ];
  if (Array.isArray(m.affiliations)) {
    sections.push(
      h(
        "section",
        { class: "panel", "aria-labelledby": "aff-h" },
        h("h2", { id: "aff-h" }, "Organizations"),
        m.affiliations.length
          ? h("ul", {}, m.affiliations.map((a) => h("li", {}, link(`/organizations/${a.slug}`, a.name), a.role === "admin" ? h("span", { class: "muted small" }, " (admin)") : null)))
          : h("p", { class: "muted" }, "Not a member of any organization yet."),
      ),
    );
  }
  if (m.mentoring) {
    const mt = m.mentoring;
    sections.push(
      h(
        "section",
        { class: "panel", "aria-labelledby": "ment-h" },
        h("h2", { id: "ment-h" }, "Mentoring"),
        mt.available
          ? [
              h("p", {}, `Available as a mentor${mt.capacity ? `, for up to ${mt.capacity} mentee${mt.capacity === 1 ? "" : "s"} at once` : ""}.`),
              mt.topics?.length ? [h("h3", {}, "Topics"), tagList(mt.topics, "Mentoring topics")] : null,
            ]
          : h("p", { class: "muted" }, "Not available as a mentor right now."),
      ),
    );
  }
  sections.push(celebrationSections(m));
  if (isSignedIn() && isSiteAdmin() && !isMe) sections.push(adminPanel(m, name));

  return h(
    "section",
    { class: "page" },
    pageHeading(
      name,
      isMe
        ? link("/me", "Edit my profile", { class: "button secondary" })
        : isSignedIn()
          ? h(
              "div",
              { class: "actions" },
              link(`/conversations/new?to=${m.id}`, "Send a message", { class: "button secondary", id: "send-message" }),
              link(`/members/${m.id}/thanks`, "Say thanks", { class: "button secondary", id: "say-thanks" }),
            )
          : null,
    ),
    isSignedIn() ? null : h("p", { class: "muted" }, link("/login", "Log in"), " to see more of what members share with each other."),
    sections,
  );
}

function adminPanel(m, name) {
  const state = h("p", { id: "suspension-state", class: "muted" }, "Suspending signs the member out everywhere and stops them logging in or posting until you lift it.");
  const suspend = h("button", { type: "button", class: "button danger", id: "suspend" }, "Suspend member");
  const unsuspend = h("button", { type: "button", class: "button secondary", id: "unsuspend" }, "Lift suspension");
  const act = async (action) => {
    const suspending = action === "suspend";
    const ok = await confirmDialog(
      suspending ? `${name} will be signed out everywhere and cannot log in or post until the suspension is lifted.` : `${name} will be able to log in again.`,
      { title: suspending ? `Suspend ${name}?` : `Lift the suspension of ${name}?`, confirmLabel: suspending ? "Suspend" : "Lift suspension", danger: suspending },
    );
    if (!ok) return;
    suspend.disabled = unsuspend.disabled = true;
    try {
      await post(`/v1/members/${m.id}/${action}`);
      state.textContent = suspending ? `${name} is suspended.` : `${name} is no longer suspended.`;
      announce(suspending ? `${name} was suspended.` : `The suspension of ${name} was lifted.`);
    } catch (err) {
      showError(err);
    } finally {
      suspend.disabled = unsuspend.disabled = false;
    }
  };
  suspend.addEventListener("click", () => act("suspend"));
  unsuspend.addEventListener("click", () => act("unsuspend"));
  return h(
    "section",
    { class: "panel admin-panel", "aria-labelledby": "admin-h" },
    h("h2", { id: "admin-h" }, "Site admin"),
    state,
    h("div", { class: "actions" }, suspend, unsuspend),
  );
}
