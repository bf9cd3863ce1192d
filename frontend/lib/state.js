// Who is signed in. The token lives in localStorage, so the member stays signed in across
// tabs and browser restarts until they log out or the session ends on the server (README:
// "Where the web app keeps your session"). Every tab of the app reads the same token; when
// another tab logs out or logs in, the browser's storage event tells this one
// (onOtherTab). The member (GET /v1/me) is cached in memory and refreshed on demand.

const TOKEN_KEY = "il.token";
const MEMBER_KEY = "il.member-id";

const listeners = new Set();
const otherTab = new Set();
let me = null;

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

// A tab that was signed in before the token moved to localStorage keeps its session.
try {
  const old = window.sessionStorage.getItem(TOKEN_KEY);
  if (old) {
    if (!storage()?.getItem(TOKEN_KEY)) {
      storage()?.setItem(TOKEN_KEY, old);
      const id = window.sessionStorage.getItem(MEMBER_KEY);
      if (id) storage()?.setItem(MEMBER_KEY, id);
    }
    window.sessionStorage.removeItem(TOKEN_KEY);
    window.sessionStorage.removeItem(MEMBER_KEY);
  }
} catch {
  // No storage (a locked-down browser): nothing to move.
}

export function getToken() {
  return storage()?.getItem(TOKEN_KEY) || null;
}

/** Set after login: the token and the member from the login response. */
export function signIn(token, member) {
  storage()?.setItem(TOKEN_KEY, token);
  if (member?.id) storage()?.setItem(MEMBER_KEY, String(member.id));
  me = member || null;
  emit();
}

/** Forget the token (logout, expiry, account deleted): every tab of the app follows. */
export function signOut() {
  storage()?.removeItem(TOKEN_KEY);
  me = null;
  emit();
}

export function isSignedIn() {
  return getToken() !== null;
}

/** The signed-in member's profile, or null (not loaded yet, or anonymous). */
export function currentMember() {
  return me;
}

export function setCurrentMember(member) {
  me = member;
  if (member?.id) storage()?.setItem(MEMBER_KEY, String(member.id));
  emit();
}

const CALENDAR_KEY = "il.calendar";

/**
 * The member's personal calendar link ({ url, webcal_url }) as this browser last made it,
 * or null. The API shows a calendar key only when it mints it (it keeps a hash), so the
 * app keeps the links beside the session token (the same storage, the same reasoning:
 * README), for the member who made them: "Subscribe" is then one click on a later visit.
 * The calendar key reads only the events one is going to.
 */
export function calendarLink() {
  try {
    const saved = JSON.parse(storage()?.getItem(CALENDAR_KEY) || "null");
    const id = lastMemberId();
    return saved && id && String(saved.member) === id && saved.webcal_url && saved.url ? saved : null;
  } catch {
    return null;
  }
}

/** Keep the links of a calendar key just made (POST /v1/me/calendar-key). */
export function rememberCalendarLink(key) {
  const id = lastMemberId();
  if (!id || !key?.url || !key?.webcal_url) return;
  storage()?.setItem(CALENDAR_KEY, JSON.stringify({ member: id, url: key.url, webcal_url: key.webcal_url }));
}

/** Forget the calendar links (turned off, or logged out). */
export function forgetCalendarLink() {
  storage()?.removeItem(CALENDAR_KEY);
}

/** The id of the member who last signed in (kept after expiry, for drafts). */
export function lastMemberId() {
  return storage()?.getItem(MEMBER_KEY) || null;
}

export function isSiteAdmin() {
  return me?.role === "admin";
}

export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * Call fn(signedIn) when another tab of the app logs out (signedIn false) or logs in,
 * possibly as someone else (true). This tab's own changes do not call it.
 */
export function onOtherTab(fn) {
  if (!listening) {
    // Registered by the first subscriber (app.js), not on import: importing this module
    // has no side effects, so node can load it too (tests/contract/).
    window.addEventListener("storage", otherTabChanged);
    listening = true;
  }
  otherTab.add(fn);
  return () => otherTab.delete(fn);
}

// The storage event fires in the other tabs of the same origin only.
let listening = false;
function otherTabChanged(event) {
  if (event.key !== TOKEN_KEY && event.key !== null) return;
  me = null;
  const signedIn = getToken() !== null;
  emit();
  for (const fn of otherTab) {
    try {
      fn(signedIn);
    } catch (err) {
      console.warn(err);
    }
  }
}

function emit() {
  for (const fn of listeners) {
    try {
      fn(me);
    } catch (err) {
      console.warn(err);
    }
  }
}
