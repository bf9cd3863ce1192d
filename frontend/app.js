// Interlibrary front end: entry module. Plain ES modules, no build step, no framework.
//
// Layout: lib/ holds the plumbing (api.js: the only fetch path; router.js: hash routes;
// forms.js: fields, errors and drafts; state.js: the signed-in member; ui.js: messages,
// dialogs) and the widgets views share (search.js, monthgrid.js, ...); views/ holds the
// views: one module per area, or a folder per area with one module per view
// (views/events/list.js, page.js, form.js, invite.js). To add a view, write its module,
// exporting the view, and register its route in ROUTES below (and, when it should be in
// the main menu, in NAV).
import { configure, ApiError, del, get, onApiStatus } from "./lib/api.js";
import { h, replace } from "./lib/dom.js";
import { dropAllDrafts } from "./lib/forms.js";
import { current, navigate, onRendered, reload, route, setNotFound, start } from "./lib/router.js";
import { currentMember, forgetCalendarLink, getToken, isSignedIn, isSiteAdmin, onChange, onOtherTab, setCurrentMember, signOut } from "./lib/state.js";
import { flashNext } from "./lib/ui.js";
import { homeView } from "./views/home.js";
import { loginView, registerView } from "./views/auth.js";
import { profileView } from "./views/me/profile.js";
import { privacyView } from "./views/me/privacy.js";
import { securityView } from "./views/me/security.js";
import { dataView } from "./views/me/data.js";
import { emailView } from "./views/me/email.js";
import { verifyEmailView } from "./views/email/verify.js";
import { resetConfirmView, resetRequestView } from "./views/email/reset.js";
import { unsubscribeView } from "./views/email/unsubscribe.js";
import { directoryView, memberView } from "./views/members.js";
import { orgListView } from "./views/organizations/list.js";
import { orgView } from "./views/organizations/page.js";
import { orgFormView } from "./views/organizations/form.js";
import { notificationsView, refreshUnread, unreadCount, onUnreadChange } from "./views/notifications.js";
import { notFoundView } from "./views/notfound.js";
import { eventListView } from "./views/events/list.js";
import { eventView } from "./views/events/page.js";
import { eventFormView } from "./views/events/form.js";
import { eventInviteView } from "./views/events/invite.js";
import { invitationsView } from "./views/invitations.js";
import { activityView } from "./views/activity.js";
import { mentorsView } from "./views/mentorships/mentors.js";
import { mentorshipRequestView } from "./views/mentorships/request.js";
import { mentorshipsView } from "./views/mentorships/list.js";
import { mentorshipView } from "./views/mentorships/page.js";
import { collabListView } from "./views/collaborations/list.js";
import { collabFormView } from "./views/collaborations/form.js";
import { collabView } from "./views/collaborations/page.js";
import { reportsView } from "./views/admin.js";
import { conversationsView } from "./views/conversations/list.js";
import { conversationView } from "./views/conversations/page.js";
import { newConversationView } from "./views/conversations/new.js";
import { onUnreadMessagesChange, refreshUnreadMessages, unreadMessages } from "./views/conversations/unread.js";
import { sayThanksView } from "./views/thanks/say.js";
import { myThanksView } from "./views/me/thanks.js";
import { myEventsView } from "./views/me/events.js";

const HEALTH_TIMEOUT_MS = 5000;

/**
 * Read the runtime settings set by /config.js.
 * @returns {{ apiBase: string | null }}
 */
export function readConfig(win = window) {
  const raw = win.INTERLIBRARY_CONFIG && win.INTERLIBRARY_CONFIG.apiBase;
  if (typeof raw !== "string" || raw.trim() === "") {
    return { apiBase: null };
  }
  return { apiBase: raw.trim().replace(/\/+$/, "") };
}

/**
 * Ask the API whether it is alive.
 * @param {string} apiBase  e.g. "http://127.0.0.1:8080"
 * @returns {Promise<boolean>} true when GET /healthz answers 200 {"status":"ok"}
 */
export async function checkHealth(apiBase, { timeoutMs = HEALTH_TIMEOUT_MS } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(`${apiBase}/healthz`, {
      method: "GET",
      headers: { Accept: "application/json" },
      mode: "cors",
      credentials: "omit",
      cache: "no-store",
      signal: controller.signal,
    });
    if (response.status !== 200) {
      return false;
    }
    const body = await response.json();
    return body !== null && typeof body === "object" && body.status === "ok";
  } catch {
    // Network error, CORS refusal, timeout or a body that is not JSON.
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Show the API status in the live region.
 * @param {HTMLElement} el
 * @param {"checking" | "ok" | "unreachable" | "error"} state
 */
export function renderStatus(el, state) {
  const text = {
    checking: "API: checking…",
    ok: "API: ok",
    unreachable: "API: unreachable",
    error: "API: error (the last request failed)",
  }[state];
  if (el.dataset.state === state && el.textContent === text) return;
  el.dataset.state = state;
  el.textContent = text;
}

// --- Routes ---------------------------------------------------------------------------

const ROUTES = [
  ["/", homeView],
  ["/login", loginView, { anonymousOnly: true }],
  ["/register", registerView, { anonymousOnly: true }],
  ["/verify-email/:token", verifyEmailView],
  ["/reset-password", resetRequestView],
  ["/reset-password/:token", resetConfirmView],
  ["/unsubscribe/:token", unsubscribeView],
  ["/me", profileView, { auth: true }],
  ["/me/privacy", privacyView, { auth: true }],
  ["/me/email", emailView, { auth: true }],
  ["/me/thanks", myThanksView, { auth: true }],
  ["/me/events", myEventsView, { auth: true }],
  ["/me/security", securityView, { auth: true }],
  ["/me/data", dataView, { auth: true }],
  ["/members", directoryView, { auth: true }],
  ["/members/:id", memberView],
  ["/members/:id/thanks", sayThanksView, { auth: true }],
  ["/conversations", conversationsView, { auth: true }],
  ["/conversations/new", newConversationView, { auth: true }],
  ["/conversations/:id", conversationView, { auth: true }],
  ["/organizations", orgListView],
  ["/organizations/new", orgFormView, { auth: true }],
  ["/organizations/:org", orgView],
  ["/organizations/:org/edit", orgFormView, { auth: true }],
  ["/notifications", notificationsView, { auth: true }],
  ["/events", eventListView],
  ["/events/new", eventFormView, { auth: true }],
  ["/events/:id", eventView],
  ["/events/:id/edit", eventFormView, { auth: true }],
  ["/events/:id/invite", eventInviteView, { auth: true }],
  ["/invitations", invitationsView, { auth: true }],
  ["/activity", activityView],
  ["/mentors", mentorsView, { auth: true }],
  ["/mentorships", mentorshipsView, { auth: true }],
  ["/mentorships/new", mentorshipRequestView, { auth: true }],
  ["/mentorships/:id", mentorshipView, { auth: true }],
  ["/collaborations", collabListView],
  ["/collaborations/new", collabFormView, { auth: true }],
  ["/collaborations/:id", collabView],
  ["/collaborations/:id/edit", collabFormView, { auth: true }],
  ["/admin/reports", reportsView, { auth: true }],
];

// The main menu: [path, label, who] where who is "all", "anon", "member" or "admin"
// (site admins).
const NAV = [
  ["/", "Home", "all"],
  ["/events", "Events", "all"],
  ["/me/events", "My events", "member"],
  ["/collaborations", "Collaborations", "all"],
  ["/mentors", "Mentoring", "member"],
  ["/members", "Members", "member"],
  ["/organizations", "Organizations", "all"],
  ["/conversations", "Messages", "member"],
  ["/notifications", "Notifications", "member"],
  ["/me", "My profile", "member"],
  ["/admin/reports", "Reports", "admin"],
  ["/login", "Log in", "anon"],
  ["/register", "Register", "anon"],
];

function renderNav() {
  const list = document.getElementById("nav-list");
  if (!list) return;
  const signedIn = isSignedIn();
  const { path } = current();
  const items = [];
  for (const [target, label, who] of NAV) {
    if ((who === "anon" && signedIn) || (who === "member" && !signedIn) || (who === "admin" && !(signedIn && isSiteAdmin()))) continue;
    const active =
      target === "/"
        ? path === "/"
        : target === "/me" && path.startsWith("/me/events")
          ? false
          : path === target || path.startsWith(`${target}/`) || (target === "/mentors" && path.startsWith("/mentorships")) || (target === "/events" && path === "/invitations");
    const a = h("a", { href: `#${target}`, "aria-current": active ? "page" : null }, label);
    if (target === "/notifications" || target === "/conversations") {
      const n = target === "/notifications" ? unreadCount() : unreadMessages();
      a.id = target === "/notifications" ? "nav-notifications" : "nav-messages";
      if (n > 0) {
        a.append(
          " ",
          h("span", { class: "badge", "aria-hidden": "true" }, n > 99 ? "99+" : String(n)),
          h("span", { class: "visually-hidden" }, ` (${n > 99 ? "more than 99" : n} unread)`),
        );
      }
    }
    items.push(h("li", {}, a));
  }
  if (signedIn) {
    const me = currentMember();
    items.push(
      h(
        "li",
        { class: "nav-account" },
        h("button", { type: "button", class: "linklike", id: "logout", onclick: logout }, "Log out"),
        me ? h("span", { class: "visually-hidden" }, ` (signed in as ${me.display_name})`) : null,
      ),
    );
  }
  replace(list, items);
}

/** Log out: revoke the session on the server, forget the token and every draft. */
export async function logout() {
  try {
    if (getToken()) await del("/v1/sessions/current");
  } catch {
    // Already expired or revoked: logging out locally is what matters.
  }
  signOut();
  dropAllDrafts();
  forgetCalendarLink();
  flashNext("You have logged out.");
  navigate("/");
}

let expiring = false;
/** Any 401 on a call that carried a token: back to login, keeping drafts and the route. */
function sessionExpired() {
  if (expiring) return;
  expiring = true;
  signOut();
  const { full, path } = current();
  const next = path === "/login" ? "/" : full;
  navigate(`/login?expired=1&next=${encodeURIComponent(next)}`, { replace: true });
  setTimeout(() => {
    expiring = false;
  }, 500);
}

/**
 * Another tab logged out (or its session ended): this one follows, forgetting its drafts
 * too. Another tab logged in, perhaps as someone else: this one loads the member afresh.
 */
async function followOtherTab(signedIn) {
  if (!signedIn) {
    dropAllDrafts();
    forgetCalendarLink();
    flashNext("You have logged out (in another tab or window).");
    navigate("/");
    return;
  }
  try {
    setCurrentMember(await get("/v1/me"));
  } catch (err) {
    if (!(err instanceof ApiError)) console.error(err);
  }
  reload();
}

/** The skip link moves focus to <main> without touching the route in the hash. */
function setupSkipLink() {
  const skip = document.querySelector(".skip-link");
  skip?.addEventListener("click", (event) => {
    event.preventDefault();
    const main = document.getElementById("main");
    main?.focus();
    main?.scrollIntoView();
  });
}

function setupMenuToggle() {
  const toggle = document.getElementById("menu-toggle");
  const nav = document.getElementById("site-nav");
  if (!toggle || !nav) return;
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("open", open);
  });
  nav.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && nav.classList.contains("open")) {
      toggle.setAttribute("aria-expanded", "false");
      nav.classList.remove("open");
      toggle.focus();
    }
  });
}

function closeMenu() {
  document.getElementById("menu-toggle")?.setAttribute("aria-expanded", "false");
  document.getElementById("site-nav")?.classList.remove("open");
}

// The footer says how the last real request ended (lib/api.js onApiStatus); the health
// check only speaks until the first of them has.
let requestSeen = false;

async function healthCheck(apiBase) {
  const statusEl = document.getElementById("api-status");
  if (!statusEl) return;
  onApiStatus((state) => {
    requestSeen = true;
    renderStatus(statusEl, state);
  });
  if (!apiBase) {
    renderStatus(statusEl, "unreachable");
    return;
  }
  renderStatus(statusEl, "checking");
  const ok = await checkHealth(apiBase);
  if (!requestSeen) renderStatus(statusEl, ok ? "ok" : "unreachable");
}

async function main() {
  const { apiBase } = readConfig();
  healthCheck(apiBase);
  if (!document.getElementById("view")) return;

  configure({ base: apiBase, expired: sessionExpired });
  for (const [pattern, view, opts] of ROUTES) route(pattern, view, opts);
  setNotFound(notFoundView);
  setupMenuToggle();
  setupSkipLink();
  onChange(renderNav);
  onOtherTab(followOtherTab);
  onUnreadChange(renderNav);
  onUnreadMessagesChange(renderNav);
  onRendered(() => {
    closeMenu();
    renderNav();
    if (isSignedIn()) {
      refreshUnread();
      refreshUnreadMessages();
    }
  });
  renderNav();

  if (getToken()) {
    try {
      setCurrentMember(await get("/v1/me"));
    } catch (err) {
      // 401: sessionExpired() already sent us to the login view. Otherwise carry on:
      // the views show their own errors.
      if (!(err instanceof ApiError)) console.error(err);
    }
  }
  start();
  setInterval(() => {
    if (isSignedIn() && document.visibilityState === "visible") {
      refreshUnread();
      refreshUnreadMessages();
    }
  }, 60_000);
}

main();
