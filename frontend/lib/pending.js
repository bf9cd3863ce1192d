// Endpoints other engineers are still shipping: a loader that meets a route the API does
// not have yet shows a clear "not available yet" state instead of breaking.
import { ApiError } from "./api.js";
import { h } from "./dom.js";

/** True for an answer meaning "this API has no such route (yet)". */
export function notYet(err) {
  if (!(err instanceof ApiError)) return false;
  if (err.status === 405 || err.status === 501) return true;
  return err.status === 404 && /no resource at this path/i.test(err.detail || "");
}

/** The "not available yet" notice. */
export function notAvailable(what) {
  return h("p", { class: "notice notice-info not-available" }, `${what} is not available yet. Please check back soon.`);
}
