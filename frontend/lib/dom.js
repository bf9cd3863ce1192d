// DOM building without innerHTML: every piece of text from the API goes in as a text node.

/**
 * Create an element.
 *   h("a", { href: "#/", class: "x", onclick: fn, dataset: { id: 1 } }, "text", child)
 * Attributes: `class`, `text` (textContent), `dataset`, `on<event>` handlers, booleans
 * (true sets the attribute, false/null/undefined leave it out), anything else via
 * setAttribute. Children: strings/numbers become text nodes; null/false are skipped;
 * arrays are flattened.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = String(value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "value" && "value" in el) el.value = value;
    else if (key === "checked" || key === "selected") el[key] = Boolean(value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

/** Append children (strings, numbers, nodes, nested arrays; null/false skipped). */
export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replace all children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let uidCounter = 0;
/** A unique id for label/for and aria-describedby pairs. */
export function uid(prefix = "f") {
  uidCounter += 1;
  return `${prefix}-${uidCounter}`;
}

const dateTime = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat("en", { dateStyle: "medium" });

/** A <time> element for an RFC 3339 timestamp. */
export function time(iso, { withTime = true, timeZone } = {}) {
  if (!iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return document.createTextNode(String(iso));
  let text;
  try {
    text = timeZone
      ? new Intl.DateTimeFormat("en", {
          dateStyle: "medium",
          timeStyle: withTime ? "short" : undefined,
          timeZone,
        }).format(d)
      : (withTime ? dateTime : dateOnly).format(d);
  } catch {
    text = (withTime ? dateTime : dateOnly).format(d);
  }
  return h("time", { datetime: iso }, text);
}

/** "a, b, c" -> ["a", "b", "c"] (trimmed, empties and duplicates dropped). */
export function parseList(text) {
  const seen = new Set();
  const out = [];
  for (const part of String(text || "").split(",")) {
    const item = part.trim();
    const key = item.toLowerCase();
    if (item && !seen.has(key)) {
      seen.add(key);
      out.push(item);
    }
  }
  return out;
}

/** A list of tags as <ul class="tags">, or null when empty. */
export function tagList(items, label) {
  if (!Array.isArray(items) || items.length === 0) return null;
  return h("ul", { class: "tags", "aria-label": label }, items.map((t) => h("li", {}, t)));
}

/** Only http(s) URLs become links; anything else is shown as text. */
export function safeHref(url) {
  try {
    const u = new URL(String(url));
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch {
    return null;
  }
}

/** Hand `blob` to the browser as a download named `filename`. */
export function saveFile(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Route paths: "#/members/12". */
export function link(path, text, attrs = {}) {
  return h("a", { href: `#${path}`, ...attrs }, text);
}
