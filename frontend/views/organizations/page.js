// An organization's page: its facts, its upcoming events and their feeds, joining (a
// request that stays pending until an admin approves) and leaving, and its members; for
// its admins, the requests to approve or decline and each member's role.
import { baseUrl, del, get, patch, post } from "../../lib/api.js";
import { h, link, safeHref } from "../../lib/dom.js";
import { positionText } from "../../lib/nearby.js";
import { currentMember, isSignedIn, isSiteAdmin } from "../../lib/state.js";
import { announce, confirmDialog, loadMore, pageHeading, showError } from "../../lib/ui.js";
import { eventItem } from "../events/item.js";
import { orgFacts } from "./kinds.js";

const EVENTS_SHOWN = 5;

export async function orgView({ params }) {
  const org = await get(`/v1/organizations/${encodeURIComponent(params.org)}`);
  const me = currentMember();
  const isAdmin = org.membership?.status === "active" && org.membership.role === "admin";
  const canManage = isAdmin || isSiteAdmin();
  const website = safeHref(org.website);

  const events = await eventsSection(org);
  const membershipBox = h("div", { class: "membership-box", id: "membership" });
  const facts = h("p", { class: "muted", id: "org-facts" }, orgFacts(org));
  // After an approval, a removal or leaving, the member count in the facts follows.
  async function refreshFacts() {
    try {
      const fresh = await get(`/v1/organizations/${encodeURIComponent(org.slug)}`, { quiet: true });
      org.member_count = fresh.member_count;
      facts.textContent = orgFacts(fresh);
    } catch {
      // The count stays as it was; the next visit shows it.
    }
  }
  const members = membersSection(org, canManage, me, refreshFacts);

  function renderMembership(ms) {
    org.membership = ms;
    const parts = [];
    if (!isSignedIn()) {
      parts.push(h("p", {}, link(`/login?next=${encodeURIComponent(`/organizations/${org.slug}`)}`, "Log in"), " to ask to join."));
    } else if (!ms) {
      if (org.archived) parts.push(h("p", { class: "muted" }, "This organization is archived and does not take new members."));
      else {
        const join = h("button", { type: "button", class: "button", id: "join" }, "Ask to join");
        join.addEventListener("click", async () => {
          join.disabled = true;
          try {
            const created = await post(`/v1/organizations/${org.id}/members`);
            renderMembership({ role: created.role, status: created.status });
            announce(created.status === "pending" ? "Your request was sent. An admin of the organization will review it." : "You joined.");
            document.getElementById("leave")?.focus();
          } catch (err) {
            join.disabled = false;
            showError(err);
          }
        });
        parts.push(h("p", {}, "Work here? Ask to join: an admin of the organization approves requests."), join);
      }
    } else {
      const pending = ms.status === "pending";
      parts.push(
        h("p", { id: "membership-state" }, pending ? "Your request to join is waiting for an admin to approve it." : ms.role === "admin" ? "You are an admin of this organization." : "You are a member of this organization."),
      );
      const leave = h("button", { type: "button", class: "button secondary", id: "leave" }, pending ? "Withdraw request" : "Leave organization");
      leave.addEventListener("click", async () => {
        if (!pending) {
          const ok = await confirmDialog(`You will no longer be listed as a member of ${org.name}.`, { title: "Leave this organization?", confirmLabel: "Leave" });
          if (!ok) return;
        }
        leave.disabled = true;
        try {
          await del(`/v1/organizations/${org.id}/members/${me.id}`);
          renderMembership(null);
          announce(pending ? "Your request was withdrawn." : `You left ${org.name}.`);
          members.refresh();
          refreshFacts();
          document.getElementById("join")?.focus();
        } catch (err) {
          leave.disabled = false;
          showError(err);
        }
      });
      parts.push(leave);
    }
    membershipBox.replaceChildren(...parts);
  }
  renderMembership(org.membership);

  return h(
    "section",
    { class: "page" },
    pageHeading(org.name, canManage ? link(`/organizations/${org.slug}/edit`, "Edit organization", { class: "button secondary" }) : null),
    facts,
    org.archived ? h("p", { class: "notice notice-warn" }, "This organization is archived.") : null,
    org.description ? h("p", { class: "bio" }, org.description) : null,
    positionText(org) ? h("p", { class: "small" }, "Position: ", positionText(org)) : null,
    website ? h("p", {}, "Website: ", h("a", { href: website, rel: "noopener noreferrer", target: "_blank" }, new URL(website).host, h("span", { class: "visually-hidden" }, " (opens in a new tab)"))) : null,
    events,
    h("section", { class: "panel", "aria-labelledby": "ms-h" }, h("h2", { id: "ms-h" }, "Membership"), membershipBox),
    members.element,
  );
}

/** The organization's next events, a link to all of them, and its feeds (README: feeds). */
async function eventsSection(org) {
  const list = h("ul", { class: "cards" });
  let note = null;
  try {
    const page = await get("/v1/events", { query: { organization: org.slug, limit: EVENTS_SHOWN } });
    list.append(...page.data.map((ev) => eventItem(ev, { showDate: true })));
    if (!page.data.length) note = h("p", { class: "muted" }, "No upcoming events.");
  } catch (err) {
    note = h("p", { class: "muted" }, "The events could not be loaded.");
    console.warn(err);
  }
  const api = baseUrl();
  const feed = (ext) => `${api}/v1/organizations/${encodeURIComponent(org.slug)}/events.${ext}`;
  return h(
    "section",
    { class: "panel", id: "org-events", "aria-labelledby": "ev-h" },
    h("h2", { id: "ev-h" }, "Upcoming events"),
    list.childElementCount ? list : null,
    note,
    h("p", {}, link(`/events?organization=${encodeURIComponent(org.slug)}`, `All events of ${org.name}`)),
    api
      ? h(
          "p",
          { class: "small muted feeds" },
          "Follow them: ",
          h("a", { href: feed("ics").replace(/^https?:/, "webcal:") }, "subscribe in your calendar"),
          " · ",
          h("a", { href: feed("rss") }, "RSS"),
          " · ",
          h("a", { href: feed("json") }, "JSON Feed"),
        )
      : null,
  );
}

function membersSection(org, canManage, me, onChanged) {
  const pendingList = h("ul", { class: "cards", id: "pending-list" });
  const activeList = h("ul", { class: "cards", id: "member-list" });
  const pendingCount = h("p", { class: "muted" });
  let activePager;

  function memberRow(ms) {
    const who = link(`/members/${ms.member.id}`, ms.member.display_name);
    const li = h("li", { class: "card row-card", dataset: { member: ms.member.id } });
    const info = h("div", {}, h("p", { class: "card-title" }, who, ms.role === "admin" && ms.status === "active" ? h("span", { class: "pill" }, "Admin") : null));
    const actions = h("div", { class: "actions" });
    if (canManage) {
      const name = ms.member.display_name;
      const button = (label, cls, aria, fn) => {
        const b = h("button", { type: "button", class: `button small ${cls}`, "aria-label": aria }, label);
        b.addEventListener("click", async () => {
          b.disabled = true;
          try {
            await fn();
            await onChanged();
          } catch (err) {
            showError(err);
          } finally {
            b.disabled = false;
          }
        });
        return b;
      };
      if (ms.status === "pending") {
        actions.append(
          button("Approve", "", `Approve ${name}`, async () => {
            await patch(`/v1/organizations/${org.id}/members/${ms.member.id}`, { status: "active" });
            announce(`${name} is now a member.`);
            await refresh();
          }),
          button("Decline", "secondary", `Decline ${name}`, async () => {
            await del(`/v1/organizations/${org.id}/members/${ms.member.id}`);
            announce(`The request from ${name} was declined.`);
            await refresh();
          }),
        );
      } else if (!me || ms.member.id !== me.id || isSiteAdmin()) {
        const toAdmin = ms.role !== "admin";
        actions.append(
          button(toAdmin ? "Make admin" : "Make member", "secondary", toAdmin ? `Make admin: ${name}` : `Make member: ${name} (no longer an admin)`, async () => {
            await patch(`/v1/organizations/${org.id}/members/${ms.member.id}`, { role: toAdmin ? "admin" : "member" });
            announce(toAdmin ? `${name} is now an admin.` : `${name} is no longer an admin.`);
            await refresh();
          }),
          button("Remove", "secondary", `Remove ${name}`, async () => {
            const ok = await confirmDialog(`${name} will no longer be a member of ${org.name}.`, { title: `Remove ${name}?`, confirmLabel: "Remove", danger: true });
            if (!ok) return;
            await del(`/v1/organizations/${org.id}/members/${ms.member.id}`);
            announce(`${name} was removed.`);
            await refresh();
          }),
        );
      }
    }
    li.append(info, actions);
    return li;
  }

  activePager = loadMore({
    list: activeList,
    noun: "members",
    emptyText: "No members you can see yet.",
    fetchPage: (cursor) => get(`/v1/organizations/${org.id}/members`, { query: { status: "active", limit: 50, cursor } }),
    renderItem: memberRow,
  });

  async function refresh() {
    if (canManage) {
      try {
        const page = await get(`/v1/organizations/${org.id}/members`, { query: { status: "pending", limit: 100 } });
        pendingList.replaceChildren(...page.data.map(memberRow));
        pendingCount.textContent = page.data.length ? `${page.data.length} request${page.data.length === 1 ? "" : "s"} waiting.` : "No requests waiting.";
      } catch (err) {
        showError(err);
      }
    }
    activePager.reset();
    await activePager.start();
  }
  refresh();

  const element = h(
    "div",
    {},
    canManage
      ? h("section", { class: "panel", "aria-labelledby": "req-h" }, h("h2", { id: "req-h" }, "Requests to join"), pendingCount, pendingList)
      : null,
    h("section", { class: "panel", "aria-labelledby": "mem-h" }, h("h2", { id: "mem-h" }, "Members"), activeList, activePager.element),
  );
  return { element, refresh };
}
