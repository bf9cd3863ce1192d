// The number of unread messages, shown in the main menu next to "Messages" and refreshed
// with the notifications' count (app.js), after reading a conversation, and every minute.
import { get } from "../../lib/api.js";
import { refresher } from "../../lib/refresh.js";

let unread = 0;
const listeners = new Set();

export function unreadMessages() {
  return unread;
}

export function onUnreadMessagesChange(fn) {
  listeners.add(fn);
}

export function setUnreadMessages(n) {
  if (n === unread) return;
  unread = n;
  for (const fn of listeners) fn(n);
}

/** Ask the API for the unread messages of all the member's conversations. */
export const refreshUnreadMessages = refresher(() =>
  get("/v1/conversations", { query: { limit: 1 }, quiet: true }).then((page) =>
    setUnreadMessages(page?.unread_count || 0),
  ),
);
