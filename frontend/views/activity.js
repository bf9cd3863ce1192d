// Community activity (GET /v1/activity): new events, recaps, collaborations and their
// updates, completed mentorships and thank-you notes shared by both sides; newest first. The item renderer is
// shared with the landing page.
import { baseUrl, get } from "../lib/api.js";
import { h, link, time } from "../lib/dom.js";
import { loadMore, pageHeading } from "../lib/ui.js";

const KIND = {
  event_created: "New event",
  event_recap: "Event recap",
  collaboration_created: "New collaboration",
  collaboration_completed: "Collaboration completed",
  collaboration_update: "Collaboration update",
  mentorship_completed: "Mentorship completed",
  thanks: "Thanks",
};

function subjectPath(subject) {
  if (!subject) return null;
  if (subject.type === "event") return `/events/${subject.id}`;
  if (subject.type === "collaboration") return `/collaborations/${subject.id}`;
  if (subject.type === "member") return `/members/${subject.id}`;
  return null;
}

function names(members) {
  const list = (members || []).map((m) => m.display_name).filter(Boolean);
  if (list.length <= 1) return list.join("");
  return `${list.slice(0, -1).join(", ")} and ${list[list.length - 1]}`;
}

/** One activity item as an <li>. */
export function activityItem(item, { compact = false } = {}) {
  const path = subjectPath(item.subject);
  const label = KIND[item.kind] || String(item.kind || "Activity").replace(/_/g, " ");
  const who = item.kind === "thanks" && item.members?.length === 2 ? `${item.members[0].display_name} thanked ${item.members[1].display_name}` : names(item.members);
  const title = item.kind === "mentorship_completed" ? `Mentoring in ${item.title}` : item.title;
  const text = item.text && !compact ? (item.text.length > 280 ? `${item.text.slice(0, 277)}…` : item.text) : null;
  return h(
    "li",
    { class: `activity-item kind-${item.kind}`, dataset: { id: item.id } },
    h("p", { class: "activity-head" }, h("span", { class: "pill" }, label), " ", path ? link(path, title) : h("span", {}, title)),
    text ? h("p", { class: "small activity-text" }, text) : null,
    h(
      "p",
      { class: "muted small" },
      time(item.at),
      who ? ` · ${who}` : null,
      item.organization ? [" · ", link(`/organizations/${item.organization.slug}`, item.organization.name)] : null,
    ),
  );
}

export async function activityView() {
  const list = h("ul", { class: "activity", id: "activity-list" });
  const pager = loadMore({
    list,
    noun: "items",
    emptyText: "Nothing new yet.",
    fetchPage: (cursor) => get("/v1/activity", { query: { limit: 20, cursor } }),
    renderItem: (item) => activityItem(item),
  });
  await pager.start();
  const rss = baseUrl() ? h("p", { class: "small muted" }, h("a", { href: `${baseUrl()}/v1/activity.rss` }, "Follow this page as RSS")) : null;
  return h(
    "section",
    { class: "page" },
    pageHeading("Community activity"),
    h("p", { class: "muted" }, "What colleagues across the region have been up to: new events and recaps, collaborations and their progress, and mentorships and thank-you notes that both sides chose to share."),
    list,
    pager.element,
    rss,
  );
}
