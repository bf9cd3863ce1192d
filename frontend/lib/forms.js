// Forms: labelled fields, problem+json errors shown next to the field they name
// (`bio`, `mentoring.capacity`, `visibility.about`, `skills[2]`), a busy state while
// submitting, and drafts kept in sessionStorage so an expired session, or a change by
// someone else meanwhile (412), loses nothing.
import { ApiError } from "./api.js";
import { h, uid } from "./dom.js";
import { reload } from "./router.js";
import { clearMessages } from "./ui.js";
import { lastMemberId } from "./state.js";

/**
 * A labelled input. opts: type, value, required, hint, autocomplete, maxlength, min, max,
 * rows (textarea), options ([[value, label]] for a select), placeholder.
 */
export function field(name, label, opts = {}) {
  const id = opts.id || uid(name.replace(/[^a-z0-9]+/gi, "-"));
  const hintId = opts.hint ? `${id}-hint` : null;
  const common = {
    id,
    name,
    required: opts.required,
    autocomplete: opts.autocomplete,
    maxlength: opts.maxlength,
    minlength: opts.minlength,
    placeholder: opts.placeholder,
    "aria-describedby": hintId,
    inputmode: opts.inputmode,
    spellcheck: opts.spellcheck,
  };
  let control;
  if (opts.rows) {
    control = h("textarea", { ...common, rows: opts.rows });
    control.value = opts.value ?? "";
  } else if (opts.options) {
    control = h(
      "select",
      common,
      opts.options.map(([value, text]) => h("option", { value, selected: String(opts.value ?? "") === String(value) }, text)),
    );
  } else {
    control = h("input", {
      ...common,
      type: opts.type || "text",
      min: opts.min,
      max: opts.max,
      step: opts.step,
    });
    if (opts.type === "checkbox") control.checked = Boolean(opts.value);
    else control.value = opts.value ?? "";
  }
  if (opts.type === "checkbox") {
    return h(
      "div",
      { class: "field field-check", dataset: { field: name } },
      control,
      h("label", { for: id }, label),
      hintId ? h("p", { class: "hint", id: hintId }, opts.hint) : null,
    );
  }
  return h(
    "div",
    { class: "field", dataset: { field: name } },
    h("label", { for: id }, label, opts.required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null),
    hintId ? h("p", { class: "hint", id: hintId }, opts.hint) : null,
    control,
  );
}

/**
 * A group of radio buttons in a fieldset. choices: [[value, label, explanation]].
 */
export function radioGroup(name, legend, choices, value, { hint } = {}) {
  const hintId = hint ? uid("hint") : null;
  return h(
    "fieldset",
    { class: "field radio-group", dataset: { field: name }, "aria-describedby": hintId },
    h("legend", {}, legend),
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    choices.map(([v, label, explanation]) => {
      const id = uid(`${name}-${v}`.replace(/[^a-z0-9]+/gi, "-"));
      const explId = explanation ? `${id}-expl` : null;
      return h(
        "div",
        { class: "radio" },
        h("input", { type: "radio", id, name, value: v, checked: v === value, "aria-describedby": explId }),
        h("label", { for: id }, h("span", { class: "radio-label" }, label), explanation ? h("span", { class: "hint", id: explId }, explanation) : null),
      );
    }),
  );
}

/**
 * The options of a select with `value` added when it is not among them (a filter from the
 * URL, an organization the member no longer admins), so the current choice still shows.
 */
export function withOption(options, value, label = value) {
  if (value && !options.some(([v]) => v === value)) options.push([value, label]);
  return options;
}

/**
 * [value, label] options for the values of an enumeration of the contract (limits.js), in
 * its order, labelled from `labels`: a value the web app has no label for (one the API
 * added since) shows as itself. A label may be [label, explanation], for radioGroup().
 */
export function enumOptions(values, labels) {
  return values.map((v) => (Array.isArray(labels[v]) ? [v, ...labels[v]] : [v, labels[v] ?? v]));
}

/** The alert region at the top of a form. */
export function formAlert() {
  return h("div", { class: "form-alert", role: "alert" });
}

/** A submit button with a label. */
export function submit(label, { cls = "button" } = {}) {
  return h("button", { type: "submit", class: cls }, label);
}

/** Remove error messages and invalid marks from a form. */
export function clearErrors(form) {
  for (const el of form.querySelectorAll(".field-error")) el.remove();
  for (const el of form.querySelectorAll("[aria-invalid]")) {
    el.removeAttribute("aria-invalid");
    const ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter((x) => x && !x.endsWith("-err"));
    if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
    else el.removeAttribute("aria-describedby");
  }
  const alert = form.querySelector(".form-alert");
  if (alert) alert.replaceChildren();
}

/** "mentoring.topics[2]" -> ["mentoring.topics[2]", "mentoring.topics", "mentoring"] */
function candidates(fieldName) {
  const out = [fieldName];
  const noIndex = fieldName.replace(/\[\d+\]/g, "");
  if (noIndex !== fieldName) out.push(noIndex);
  const parts = noIndex.split(".");
  while (parts.length > 1) {
    parts.pop();
    out.push(parts.join("."));
  }
  return out;
}

function findContainer(form, fieldName) {
  for (const name of candidates(fieldName)) {
    const box = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (box) return box;
  }
  return null;
}

/**
 * Show an error on a form: each errors[] item next to its field, the rest (and the
 * detail) in the form's alert region. Focuses the first field in error.
 */
export function showFormError(form, err) {
  clearErrors(form);
  if (err instanceof ApiError && err.handled) return;
  const alert = form.querySelector(".form-alert");
  const unplaced = [];
  let firstControl = null;
  const errors = err instanceof ApiError ? err.errors : [];
  for (const e of errors) {
    const box = findContainer(form, String(e.field || ""));
    if (!box) {
      const message = plain(form, e.message);
      unplaced.push(e.field && e.field !== "body" ? `${sentenceCase(readable(e.field))}: ${message}` : sentenceCase(message));
      continue;
    }
    const control = box.matches("input, select, textarea") ? box : box.querySelector("input, select, textarea");
    const errId = `${control?.id || uid("e")}-err`;
    let msg = box.querySelector(`:scope > .field-error`);
    if (!msg) {
      msg = h("p", { class: "field-error", id: errId });
      const anchor = box.tagName === "FIELDSET" ? box.querySelector("legend") : box.querySelector("label");
      if (anchor && anchor.parentElement === box && box.tagName === "FIELDSET") anchor.after(msg);
      else box.append(msg);
    } else {
      msg.append(" ");
    }
    msg.append(capitalize(labelFor(box), plain(form, e.message)));
    const controls = box.tagName === "FIELDSET" ? box.querySelectorAll("input, select, textarea") : [control];
    for (const c of controls) {
      if (!c) continue;
      c.setAttribute("aria-invalid", "true");
      const ids = new Set((c.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean));
      ids.add(msg.id);
      c.setAttribute("aria-describedby", [...ids].join(" "));
    }
    if (!firstControl) firstControl = controls[0];
  }
  if (alert) {
    let detail;
    if (err instanceof ApiError) {
      detail = errors.length && !unplaced.length ? "Please correct the marked fields." : err.detail;
    } else {
      console.error(err);
      detail = "Something went wrong. Please try again.";
    }
    // Changed by someone else meanwhile: what was typed stays (in the form and its
    // draft); reloading shows their changes with the fields typed here on top.
    const again = err instanceof ApiError && err.status === 412 ? h("button", { type: "button", class: "button secondary small", id: "reload-changed", onclick: () => reload() }, "Reload") : null;
    alert.append(h("div", { class: "notice notice-error" }, h("p", {}, detail), unplaced.length ? h("ul", {}, unplaced.map((m) => h("li", {}, m))) : null, again));
  }
  if (firstControl) firstControl.focus();
  else if (alert) {
    alert.setAttribute("tabindex", "-1");
    alert.focus();
  }
}

function labelFor(box) {
  const label = box.querySelector(":scope > legend, :scope > label");
  return label ? label.textContent.replace(/\s*\*$/, "").trim() : "";
}

/**
 * An API message in the form's words: a field it names by its API name ("must be after
 * starts_at") is named by its label in the form ("must be after \u201cStarts\u201d"), and
 * any other such name is spelt as words ("organization id").
 */
function plain(form, message) {
  return String(message || "is not valid").replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (name) => {
    const box = findContainer(form, name);
    const label = box ? labelFor(box) : "";
    return label ? `\u201c${label}\u201d` : readable(name);
  });
}

/** "starts_at" -> "starts at"; "organizers[2]" -> "organizers 3". */
function readable(name) {
  return String(name)
    .replace(/\[(\d+)\]/g, (_, i) => ` ${Number(i) + 1}`)
    .replace(/[_.]+/g, " ")
    .trim();
}

function sentenceCase(text) {
  const t = String(text);
  return t.charAt(0).toUpperCase() + t.slice(1);
}

function capitalize(label, message) {
  const text = String(message || "is not valid");
  return label ? `${label}: ${text}` : text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Wire a form's submit to an async handler: prevents double submits, marks the form
 * busy, clears and shows errors. handler(form) may throw ApiError.
 */
export function onSubmit(form, handler) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") return;
    // The page's messages belong to the last action: a new submit clears them (as a
    // navigation does), so what shows next is about this one.
    clearMessages();
    clearErrors(form);
    const buttons = form.querySelectorAll('button[type="submit"]');
    form.setAttribute("aria-busy", "true");
    for (const b of buttons) b.disabled = true;
    try {
      await handler(form);
    } catch (err) {
      showFormError(form, err);
    } finally {
      form.removeAttribute("aria-busy");
      for (const b of buttons) b.disabled = false;
    }
  });
  return form;
}

/** The trimmed value of a named control. */
export function value(form, name) {
  const el = form.elements.namedItem(name);
  if (!el) return undefined;
  if (el instanceof RadioNodeList) return el.value;
  if (el.type === "checkbox") return el.checked;
  return typeof el.value === "string" ? el.value.trim() : el.value;
}

// --- Drafts ---------------------------------------------------------------------------
// What the member typed in a form is kept in sessionStorage (this tab only) on every
// input, tagged with their member id, and put back when the form is shown again for the
// same member: after an expired session and a new login nothing is lost. Only the fields
// the member changed are kept (compared with what the form showed when it was made), so
// a form shown again with newer data (someone else saved meanwhile: 412) shows those
// changes everywhere the member typed nothing. Passwords and other secrets are never
// stored.

const DRAFT_PREFIX = "il.draft.";
/** The values each form showed before anything was typed (keepDraft, rebaseDraft). */
const baselines = new WeakMap();

function draftStore() {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

function snapshot(form) {
  const values = {};
  for (const el of form.elements) {
    if (!el.name || el.type === "password" || el.dataset.noDraft !== undefined) continue;
    if (el.type === "radio") {
      if (el.checked) values[el.name] = el.value;
    } else if (el.type === "checkbox") values[el.name] = el.checked;
    else if (["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) && el.type !== "submit" && el.type !== "button") {
      values[el.name] = el.value;
    }
  }
  return values;
}

/** Keep what is typed in `form` as a draft under `key`, and restore an existing draft now. */
export function keepDraft(form, key) {
  const store = draftStore();
  if (!store) return false;
  const fullKey = DRAFT_PREFIX + key;
  baselines.set(form, snapshot(form));
  let restored = false;
  try {
    const saved = JSON.parse(store.getItem(fullKey) || "null");
    if (saved && saved.member === lastMemberId() && saved.values && Object.keys(saved.values).length) {
      for (const [name, v] of Object.entries(saved.values)) {
        const el = form.elements.namedItem(name);
        if (!el) continue;
        if (el instanceof RadioNodeList) {
          for (const r of el) r.checked = r.value === v;
        } else if (el.type === "checkbox") el.checked = Boolean(v);
        else if (el.type !== "password") el.value = v;
      }
      restored = true;
    }
  } catch {
    store.removeItem(fullKey);
  }
  const save = () => {
    const base = baselines.get(form) || {};
    const changed = {};
    for (const [name, v] of Object.entries(snapshot(form))) if (base[name] !== v) changed[name] = v;
    if (Object.keys(changed).length) store.setItem(fullKey, JSON.stringify({ member: lastMemberId(), values: changed }));
    else store.removeItem(fullKey);
  };
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  if (restored) {
    form.dataset.draftRestored = "true";
  }
  return restored;
}

/** The notice shown above a form whose draft keepDraft() restored, or null. */
export function draftNotice(form) {
  return form.dataset.draftRestored
    ? h("p", { class: "notice notice-info", id: "draft-restored" }, "We restored what you had typed before. Review it and save.")
    : null;
}

/** After a save that keeps the form on screen: what it shows now is what was saved. */
export function rebaseDraft(form) {
  baselines.set(form, snapshot(form));
}

export function dropDraft(key) {
  draftStore()?.removeItem(DRAFT_PREFIX + key);
}

/** Forget every draft (logout, account deleted). */
export function dropAllDrafts() {
  const store = draftStore();
  if (!store) return;
  for (let i = store.length - 1; i >= 0; i -= 1) {
    const k = store.key(i);
    if (k && k.startsWith(DRAFT_PREFIX)) store.removeItem(k);
  }
}
