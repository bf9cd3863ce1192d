// My notifications (unread first, then newest), mark read, and the unread count shown in
// the header.
import { get, patch } from "../lib/api.js";
import { h, time } from "../lib/dom.js";
import { announce, loadMore, pageHeading, showError } from "../lib/ui.js";
import { refresher } from "../lib/refresh.js";
import { verifyNotice } from "../lib/verification.js";

let unread = 0;
const listeners = new Set();

export function unreadCount() {
  return unread;
}

export function onUnreadChange(fn) {
  listeners.add(fn);
}

function setUnread(n) {
  if (n === unread) return;
  unread = n;
  for (const fn of listeners) fn(n);
}

/** Count unread notifications (up to 100, shown as 99+ beyond). */
export const refreshUnread = refresher(() =>
  get("/v1/me/notifications", { query: { unread: "true", limit: 100 }, quiet: true }).then(
    (page) => setUnread((page?.data?.length || 0) + (page?.next_cursor ? 1 : 0)),
  ),
);

const SUBJECT_ROUTES = {
  organization: (id) => `#/organizations/${id}`,
  member: (id) => `#/members/${id}`,
  event: (id) => `#/events/${id}`,
  invitation: () => "#/invitations",
  mentorship: (id) => `#/mentorships/${id}`,
  collaboration: (id) => `#/collaborations/${id}`,
  conversation: (id) => `#/conversations/${id}`,
  thanks: () => "#/me/thanks",
};

function notificationItem(n) {
  const li = h("li", { class: `card notification${n.read ? "" : " unread"}`, dataset: { id: n.id } });
  const subjectHref = SUBJECT_ROUTES[n.subject?.type]?.(n.subject.id);
  const text = h("p", { class: "notification-text" }, n.read ? null : h("span", { class: "pill" }, "Unread"), n.read ? null : " ", n.text);
  const meta = h("p", { class: "muted small" }, time(n.created_at));
  const actions = h("div", { class: "actions" });
  if (subjectHref) {
    const open = h("a", { href: subjectHref, class: "button secondary small" }, "Open");
    // Opening an unread notification reads it: marked read first, then followed (a
    // failure to mark it does not stand in the way).
    if (!n.read) {
      open.addEventListener("click", async (event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        try {
          await patch(`/v1/me/notifications/${n.id}`, { read: true });
          setUnread(Math.max(0, unread - 1));
        } catch (err) {
          if (err?.handled) return;
          console.warn(err);
        }
        location.hash = subjectHref;
      });
    }
    actions.append(open);
  }
  if (!n.read) {
    const btn = h("button", { type: "button", class: "button small" }, "Mark as read");
    btn.setAttribute("aria-label", `Mark as read: ${n.text}`);
    btn.addEventListener("click", async () => {
      btn.disabled = true;
      try {
        const updated = await patch(`/v1/me/notifications/${n.id}`, { read: true });
        li.replaceWith(notificationItem(updated));
        setUnread(Math.max(0, unread - 1));
        announce("Notification marked as read.");
        refreshUnread();
      } catch (err) {
        btn.disabled = false;
        showError(err);
      }
    });
    actions.append(btn);
  }
  li.append(text, meta, actions);
  return li;
}

export async function notificationsView() {
  const list = h("ul", { class: "cards", id: "notification-list" });
  const pager = loadMore({
    list,
    noun: "notifications",
    emptyText: "You have no notifications.",
    fetchPage: (cursor) => get("/v1/me/notifications", { query: { limit: 20, cursor } }),
    renderItem: notificationItem,
  });
  const markAll = h("button", { type: "button", class: "button secondary", id: "mark-all-read" }, "Mark all as read");
  markAll.addEventListener("click", async () => {
    markAll.disabled = true;
    try {
      let count = 0;
      for (;;) {
        const page = await get("/v1/me/notifications", { query: { unread: "true", limit: 100 } });
        if (!page?.data?.length) break;
        for (const n of page.data) {
          await patch(`/v1/me/notifications/${n.id}`, { read: true });
          count += 1;
        }
        if (!page.next_cursor) break;
      }
      setUnread(0);
      pager.reset();
      await pager.start();
      announce(count ? `Marked ${count} notification${count === 1 ? "" : "s"} as read.` : "Nothing was unread.");
    } catch (err) {
      showError(err);
    } finally {
      markAll.disabled = false;
    }
  });
  await pager.start();
  refreshUnread();
  return h(
    "section",
    { class: "page" },
    pageHeading("Notifications", h("div", { class: "actions" }, markAll)),
    verifyNotice(),
    h("p", { class: "muted" }, "Unread notifications come first."),
    list,
    pager.element,
  );
}
