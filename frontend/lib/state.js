// Who is signed in. The token lives in sessionStorage (this tab only, gone when it closes);
// the member (GET /v1/me) is cached in memory and refreshed on demand.

const TOKEN_KEY = "il.token";
const MEMBER_KEY = "il.member-id";

const listeners = new Set();
let me = null;

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
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

/** Forget the token (logout, expiry, account deleted). */
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

/** The id of the member who last signed in in this tab (kept after expiry, for drafts). */
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

function emit() {
  for (const fn of listeners) {
    try {
      fn(me);
    } catch (err) {
      console.warn(err);
    }
  }
}
