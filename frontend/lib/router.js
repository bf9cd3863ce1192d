// Hash routing (#/members/12?q=x) so any static host serves the app. Routes are
// registered as patterns with :params; a route's view is an async function that
// returns the node to show. Only the latest navigation's result is shown.
import { ApiError } from "./api.js";
import { h } from "./dom.js";
import { isSignedIn } from "./state.js";
import { clearMessages, announce, takeFlash, showAlert } from "./ui.js";

// A page's first load (a route other than the one shown) puts a spinner in the view
// until its data has arrived: at once on the app's first render, after this long on
// later navigations (a fast page then shows no flash of it). Rendering the same route
// again (after a change) keeps the page as it is meanwhile.
export const LOADING_AFTER_MS = 150;

const routes = [];
let notFoundView = null;
let generation = 0;
let afterRender = () => {};

/**
 * Register a route.
 *   route("/members/:id", view, { auth: true })
 * view(ctx) -> Node | Promise<Node>; ctx = { params, query, path, isCurrent() }.
 * `auth: true` sends anonymous visitors to the login view first.
 */
export function route(pattern, view, opts = {}) {
  const keys = [];
  const re = new RegExp(
    `^${pattern.replace(/\/:([a-z_]+)/gi, (_, key) => {
      keys.push(key);
      return "/([^/]+)";
    })}/?$`,
  );
  routes.push({ pattern, re, keys, view, opts });
}

export function setNotFound(view) {
  notFoundView = view;
}

export function onRendered(fn) {
  afterRender = fn;
}

/** The current route: { path: "/members/12", query: URLSearchParams }. */
export function current() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, search = ""] = raw.split("?");
  return { path: path || "/", query: new URLSearchParams(search), full: raw.startsWith("/") ? raw : `/${raw}` };
}

/** Go to a route path ("/members?q=x"). */
export function navigate(path, { replace = false } = {}) {
  const target = `#${path}`;
  if (location.hash === target) {
    render();
  } else if (replace) {
    history.replaceState(null, "", target);
    render();
  } else {
    location.hash = target;
  }
}

/** Render the current route again (e.g. after login state changed). */
export function reload() {
  render();
}

function match(path) {
  for (const r of routes) {
    const m = r.re.exec(path);
    if (m) {
      const params = {};
      r.keys.forEach((k, i) => {
        params[k] = decodeURIComponent(m[i + 1]);
      });
      return { route: r, params };
    }
  }
  return null;
}

async function render() {
  generation += 1;
  const mine = generation;
  const { path, query, full } = current();
  const main = document.getElementById("view");
  const found = match(path);
  const isCurrent = () => mine === generation;

  clearMessages();
  const flash = takeFlash();
  if (flash) announce(flash);

  if (found?.route.opts.auth && !isSignedIn()) {
    history.replaceState(null, "", `#/login?next=${encodeURIComponent(full)}`);
    return render();
  }
  if (found?.route.opts.anonymousOnly && isSignedIn()) {
    history.replaceState(null, "", "#/");
    return render();
  }

  const ctx = { params: found?.params || {}, query, path, full, isCurrent };
  let loadingTimer = null;
  if (main.dataset.route !== full) {
    const showLoading = () => {
      if (!isCurrent()) return;
      main.setAttribute("aria-busy", "true");
      main.replaceChildren(loadingView());
    };
    if (render.started) loadingTimer = setTimeout(showLoading, LOADING_AFTER_MS);
    else showLoading();
  }
  let node;
  try {
    node = found ? await found.route.view(ctx) : await notFoundView(ctx);
  } catch (err) {
    if (!isCurrent()) return;
    if (err instanceof ApiError && err.handled) return;
    if (err instanceof ApiError && err.status === 404) {
      node = await notFoundView(ctx);
    } else {
      node = errorView(err);
    }
  } finally {
    clearTimeout(loadingTimer);
  }
  if (!isCurrent() || !node) return;
  main.removeAttribute("aria-busy");
  main.replaceChildren(node);
  main.dataset.route = full;
  const heading = main.querySelector("h1");
  document.title = heading ? `${heading.textContent.trim()} · Interlibrary` : "Interlibrary";
  afterRender(ctx);
  // Move focus to the new page's heading so keyboard and screen reader users start there
  // (not on the very first load: the browser starts at the top anyway).
  if (render.started && heading) {
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: false });
  }
  render.started = true;
}

/** What the view shows while a page loads for the first time. */
function loadingView() {
  return h(
    "div",
    { class: "page-loading", id: "page-loading", role: "status" },
    h("span", { class: "spinner", "aria-hidden": "true" }),
    h("span", {}, "Loading…"),
  );
}

function errorView(err) {
  const detail = err instanceof ApiError ? err.detail : "Something went wrong while loading this page.";
  if (!(err instanceof ApiError)) console.error(err);
  showAlert(detail);
  return h(
    "section",
    { class: "page" },
    h("h1", { tabindex: "-1" }, "This page could not be loaded"),
    h("p", {}, "Please try again in a moment."),
    h("p", {}, h("button", { type: "button", class: "button", onclick: () => render() }, "Try again")),
  );
}

export function start() {
  // In-page anchors (the skip link's "#main") are not routes: leave the view alone.
  window.addEventListener("hashchange", () => {
    if (location.hash === "" || location.hash.startsWith("#/")) render();
  });
  if (!location.hash.startsWith("#/")) history.replaceState(null, "", "#/");
  render();
}
