// The one way the app talks to the API: JSON over fetch, bearer token from state.js,
// problem+json errors as ApiError, a progress indicator for slow requests, a hook
// for an expired session (any 401 on a request that carried a token), and If-Match for
// writes based on a version read earlier (412: someone else changed it meanwhile).
import * as busy from "./busy.js";
import { getToken } from "./state.js";

const TIMEOUT_MS = 20_000;

/** What a 412 (the If-Match version is no longer current) tells the member. */
export const CHANGED_MESSAGE = "This was changed by someone else while you were editing: reload to see the changes";

let apiBase = null;
let onExpired = () => {};
const statusListeners = new Set();

/**
 * Be told how each real request ended: fn("ok") when the API answered below 500,
 * fn("error") for a 5xx, fn("unreachable") for a network failure or timeout (not for a
 * request the caller aborted). The footer's "API: ok" follows the last one.
 */
export function onApiStatus(fn) {
  statusListeners.add(fn);
  return () => statusListeners.delete(fn);
}

function reportStatus(state) {
  for (const fn of statusListeners) fn(state);
}

export function configure({ base, expired }) {
  apiBase = base;
  if (expired) onExpired = expired;
}

export function baseUrl() {
  return apiBase;
}

/**
 * An error answer from the API (problem+json), or a network failure (status 0). `message`
 * is the API's detail as it came; `detail` is what to show (for a 429 or 503 with
 * Retry-After, the wait is added to it, and `retryAfter` holds it in seconds).
 */
export class ApiError extends Error {
  constructor(status, problem = {}) {
    super(problem.detail || problem.title || `Request failed (${status})`);
    this.name = "ApiError";
    this.status = status;
    this.code = problem.code || (status === 0 ? "network" : "error");
    this.title = problem.title || "";
    this.detail = problem.detail || this.message;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    /** Seconds to wait before trying again (Retry-After), or null. */
    this.retryAfter = null;
    /** True when the app already dealt with it (expired session): show nothing. */
    this.handled = false;
  }
}

function buildUrl(path, query) {
  const url = new URL(`${apiBase}${path}`);
  if (query) {
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined || value === null || value === "" || value === false) continue;
      url.searchParams.set(key, String(value));
    }
  }
  return url.href;
}

/**
 * Call the API.
 *   api("GET", "/v1/members", { query: { q: "ada" } })
 *   api("PATCH", "/v1/me", { body: { bio: "..." } })
 * Options: query, body (JSON), auth (default true: send the token when there is one),
 * accept, quiet (no busy indicator), signal, version (the `version` of the resource the
 * change is based on: sent as `If-Match: "v<version>"`, and a 412 then means someone
 * else changed it meanwhile). Resolves to the parsed JSON body (null for 204); rejects
 * with ApiError.
 */
export async function api(method, path, opts = {}) {
  if (!apiBase) throw new ApiError(0, { detail: "The app has no API address (config.js)." });
  const headers = { Accept: opts.accept || "application/json" };
  const token = opts.auth === false ? null : getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (Number.isInteger(opts.version)) headers["If-Match"] = `"v${opts.version}"`;
  let body;
  if (opts.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.body);
  } else if (method === "POST" || method === "PUT" || method === "PATCH") {
    // Kore answers a bodiless POST with 411: send an empty JSON object.
    headers["Content-Type"] = "application/json";
    body = "{}";
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeout || TIMEOUT_MS);
  if (opts.signal) opts.signal.addEventListener("abort", () => controller.abort(), { once: true });

  if (!opts.quiet) busy.begin();
  let response;
  try {
    response = await fetch(buildUrl(path, opts.query), {
      method,
      headers,
      body,
      mode: "cors",
      credentials: "omit",
      cache: "no-store",
      signal: controller.signal,
    });
  } catch {
    if (!opts.signal?.aborted) reportStatus("unreachable");
    throw new ApiError(0, {
      title: "Network error",
      detail: "Could not reach the Interlibrary service. Check your connection and try again.",
    });
  } finally {
    clearTimeout(timer);
    if (!opts.quiet) busy.end();
  }

  reportStatus(response.status >= 500 ? "error" : "ok");
  if (response.status === 204 || response.status === 304) return null;
  const type = response.headers.get("Content-Type") || "";
  let data = null;
  try {
    data = type.includes("json") ? await response.json() : await response.text();
  } catch {
    data = null;
  }
  if (response.ok) return data;

  const problem = data && typeof data === "object" ? data : { detail: `${response.status} ${response.statusText}` };
  const err = new ApiError(response.status, problem);
  if (response.status === 401 && token) {
    err.handled = true;
    onExpired(err);
  } else if (response.status === 412) {
    err.detail = CHANGED_MESSAGE;
  } else if (response.status === 429 || response.status === 503) {
    const retry = response.headers.get("Retry-After");
    if (retry && /^\d+$/.test(retry)) {
      err.retryAfter = Number(retry);
      err.detail += `${/[.!?]$/.test(err.detail) ? "" : "."} Try again in ${retry} seconds.`;
    }
  }
  throw err;
}

export const get = (path, opts) => api("GET", path, opts);
export const post = (path, body, opts = {}) => api("POST", path, { ...opts, body });
export const patch = (path, body, opts = {}) => api("PATCH", path, { ...opts, body });
export const put = (path, body, opts = {}) => api("PUT", path, { ...opts, body });
export const del = (path, opts) => api("DELETE", path, opts);
