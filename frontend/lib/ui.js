// Page-level messages (a polite status region and an alert region at the top of <main>),
// the confirmation dialog, and small building blocks shared by the views.
import { ApiError } from "./api.js";
import { h, replace } from "./dom.js";

let pendingFlash = null;

function statusEl() {
  return document.getElementById("flash");
}
function alertEl() {
  return document.getElementById("alert");
}

/** A success or progress message, announced politely. */
export function announce(message) {
  const el = statusEl();
  if (!el) return;
  replace(el, message ? h("p", { class: "notice notice-ok" }, message) : null);
}

/** An error message for the whole page (role=alert). */
export function showAlert(message, details = []) {
  const el = alertEl();
  if (!el) return;
  if (!message) {
    el.replaceChildren();
    return;
  }
  replace(
    el,
    h(
      "div",
      { class: "notice notice-error" },
      h("p", {}, message),
      details.length ? h("ul", {}, details.map((d) => h("li", {}, d))) : null,
    ),
  );
}

/** Show an error from a failed call in the page alert region (ignores handled ones). */
export function showError(err) {
  if (err instanceof ApiError) {
    if (err.handled) return;
    showAlert(err.detail, err.errors.map((e) => `${e.field}: ${e.message}`));
  } else {
    console.error(err);
    showAlert("Something went wrong. Please try again.");
  }
}

export function clearMessages() {
  statusEl()?.replaceChildren();
  alertEl()?.replaceChildren();
}

/** A message to show after the next navigation (e.g. "Logged out"). */
export function flashNext(message) {
  pendingFlash = message;
}

export function takeFlash() {
  const m = pendingFlash;
  pendingFlash = null;
  return m;
}

/**
 * Ask for confirmation in a modal <dialog>. Resolves true when confirmed.
 */
export function confirmDialog(message, { title = "Are you sure?", confirmLabel = "Confirm", danger = false } = {}) {
  return new Promise((resolve) => {
    const titleId = "dialog-title";
    const dialog = h(
      "dialog",
      { class: "dialog", "aria-labelledby": titleId, "aria-describedby": "dialog-desc" },
      h("h2", { id: titleId }, title),
      h("p", { id: "dialog-desc" }, message),
      h(
        "form",
        { method: "dialog", class: "actions" },
        h("button", { value: "cancel", class: "button secondary", type: "submit" }, "Cancel"),
        h("button", { value: "ok", class: danger ? "button danger" : "button", type: "submit" }, confirmLabel),
      ),
    );
    const opener = document.activeElement;
    dialog.addEventListener("close", () => {
      const ok = dialog.returnValue === "ok";
      dialog.remove();
      if (opener && typeof opener.focus === "function" && opener.isConnected) opener.focus();
      resolve(ok);
    });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('button[value="cancel"]').focus();
  });
}

/** The page heading (focused after navigation). */
export function pageHeading(text, extra = null) {
  return h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, text), extra);
}

/** "Load more" keyset pagination: calls load(cursor) and appends items to the list. */
export function loadMore({ list, fetchPage, renderItem, noun = "items", emptyText, onError = showError }) {
  const wrap = h("div", { class: "load-more" });
  const count = h("p", { class: "muted result-count", "aria-live": "polite" });
  let cursor = null;
  let total = 0;
  const button = h("button", { type: "button", class: "button secondary" }, `Load more ${noun}`);
  button.addEventListener("click", () => more(true));

  async function more(moveFocus) {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    try {
      const page = await fetchPage(cursor);
      const items = page?.data || [];
      let first = null;
      for (const item of items) {
        const li = renderItem(item);
        if (!first) first = li;
        list.append(li);
      }
      total += items.length;
      cursor = page?.next_cursor || null;
      button.hidden = !cursor;
      if (total === 0) {
        count.textContent = emptyText || `No ${noun} found.`;
      } else {
        count.textContent = `Showing ${total} ${total === 1 ? noun.replace(/s$/, "") : noun}${cursor ? "; more are available" : ""}.`;
      }
      if (moveFocus && first) {
        const target = first.querySelector("a, button") || first;
        if (target === first) first.setAttribute("tabindex", "-1");
        target.focus();
      }
    } catch (err) {
      onError(err);
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  }

  wrap.append(count, button);
  button.hidden = true;
  return { element: wrap, start: () => more(false), reset: () => { list.replaceChildren(); cursor = null; total = 0; } };
}

/** A definition list row if value is present. */
export function row(term, value) {
  if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return null;
  return [h("dt", {}, term), h("dd", {}, value)];
}

/** An API detail as a sentence: "this link has expired" -> "This link has expired." */
export function sentence(text) {
  const t = String(text || "").trim();
  if (!t) return "";
  const s = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

/** A wait of `seconds` in words: "in 40 seconds", "in about 3 minutes", "in about 2 hours". */
export function waitText(seconds) {
  const s = Math.max(1, Math.ceil(Number(seconds) || 0));
  if (s < 90) return `in ${s} second${s === 1 ? "" : "s"}`;
  if (s < 90 * 60) return `in about ${Math.round(s / 60)} minutes`;
  return `in about ${Math.round(s / 3600)} hours`;
}
