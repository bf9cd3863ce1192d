// Security (#/me/security): changing the password, the sessions where I am signed in,
// and personal access tokens (a new one is shown once).
import { ApiError, del, get, post, put } from "../../lib/api.js";
import { h, time } from "../../lib/dom.js";
import { enumOptions, field, formAlert, onSubmit, submit, value } from "../../lib/forms.js";
import { bodies } from "../../lib/limits.js";
import { announce, confirmDialog, pageHeading, showError } from "../../lib/ui.js";
import { tabs } from "./account.js";

const NEW_PASSWORD = bodies.PasswordChange.new_password;
const TOKEN = bodies.TokenCreateRequest;
const DAYS = TOKEN.expires_in_days;

function describeAgent(ua) {
  if (!ua) return "Unknown device";
  const browser = /Firefox\//.test(ua) ? "Firefox" : /Edg\//.test(ua) ? "Edge" : /Chrom(e|ium)\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : /curl\//.test(ua) ? "curl" : null;
  const os = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Windows/.test(ua) ? "Windows" : /Mac OS X/.test(ua) ? "macOS" : /Linux/.test(ua) ? "Linux" : null;
  return browser || os ? [browser, os].filter(Boolean).join(" on ") : ua.slice(0, 60);
}

/** " · last used <time>", or " · never used" before the first request with it. */
function lastUsed(at) {
  return at ? [" · last used ", time(at)] : [" · never used"];
}

function sessionItem(s, refresh) {
  const label = describeAgent(s.user_agent);
  const btn = h("button", { type: "button", class: "button secondary small" }, s.current ? "Log out here" : "Revoke");
  btn.setAttribute("aria-label", s.current ? "Log out here (this session)" : `Revoke session: ${label}, ${s.last_used_at ? `last used ${new Date(s.last_used_at).toLocaleString("en")}` : "never used"}`);
  btn.addEventListener("click", async () => {
    if (s.current) {
      document.getElementById("logout")?.click();
      return;
    }
    btn.disabled = true;
    try {
      await del(`/v1/sessions/${s.id}`);
      await refresh();
      announce("The session was revoked.");
    } catch (err) {
      btn.disabled = false;
      showError(err);
    }
  });
  return h(
    "li",
    { class: "card row-card", dataset: { id: s.id } },
    h(
      "div",
      {},
      h("p", { class: "card-title" }, label, s.current ? h("span", { class: "pill" }, "This session") : null),
      h("p", { class: "muted small" }, "Signed in ", time(s.created_at), ...lastUsed(s.last_used_at), " · expires ", time(s.expires_at)),
    ),
    btn,
  );
}

function tokenItem(t, refresh) {
  const btn = h("button", { type: "button", class: "button secondary small" }, "Revoke");
  btn.setAttribute("aria-label", `Revoke token ${t.name}`);
  btn.addEventListener("click", async () => {
    const ok = await confirmDialog(`Scripts using \u201c${t.name}\u201d will stop working at once.`, {
      title: "Revoke this token?",
      confirmLabel: "Revoke token",
      danger: true,
    });
    if (!ok) return;
    btn.disabled = true;
    try {
      await del(`/v1/me/tokens/${t.id}`);
      await refresh();
      announce(`The token \u201c${t.name}\u201d was revoked.`);
    } catch (err) {
      btn.disabled = false;
      showError(err);
    }
  });
  return h(
    "li",
    { class: "card row-card", dataset: { id: t.id } },
    h(
      "div",
      {},
      h("p", { class: "card-title" }, t.name, " ", h("span", { class: "pill" }, t.scope === "write" ? "Read and write" : "Read only")),
      h("p", { class: "muted small" }, "Created ", time(t.created_at), ...lastUsed(t.last_used_at), " · expires ", time(t.expires_at)),
    ),
    btn,
  );
}

export async function securityView() {
  const [sessions, tokens] = await Promise.all([get("/v1/sessions"), get("/v1/me/tokens")]);

  const sessionList = h("ul", { class: "cards", id: "session-list" });
  const tokenList = h("ul", { class: "cards", id: "token-list" });
  const refreshSessions = async () => {
    const page = await get("/v1/sessions");
    sessionList.replaceChildren(...page.data.map((s) => sessionItem(s, refreshSessions)));
  };
  const refreshTokens = async () => {
    const page = await get("/v1/me/tokens");
    tokenList.replaceChildren(...page.data.map((t) => tokenItem(t, refreshTokens)));
    if (!page.data.length) tokenList.append(h("li", { class: "muted" }, "You have no personal access tokens."));
  };
  sessionList.append(...sessions.data.map((s) => sessionItem(s, refreshSessions)));
  tokenList.append(...tokens.data.map((t) => tokenItem(t, refreshTokens)));
  if (!tokens.data.length) tokenList.append(h("li", { class: "muted" }, "You have no personal access tokens."));

  // Password
  const pwForm = h(
    "form",
    { class: "form narrow", novalidate: true, id: "password-form" },
    formAlert(),
    field("current_password", "Current password", { type: "password", required: true, autocomplete: "current-password" }),
    field("new_password", "New password", { type: "password", required: true, autocomplete: "new-password", minlength: NEW_PASSWORD.minLength, hint: `At least ${NEW_PASSWORD.minLength} characters.` }),
    field("confirm_password", "Repeat the new password", { type: "password", required: true, autocomplete: "new-password" }),
    h("div", { class: "actions" }, submit("Change password")),
  );
  onSubmit(pwForm, async () => {
    const next = pwForm.elements.new_password.value;
    if (next !== pwForm.elements.confirm_password.value) {
      throw new ApiError(400, {
        detail: "The new passwords do not match.",
        errors: [{ field: "confirm_password", message: "does not match the new password" }],
      });
    }
    await put("/v1/me/password", { current_password: pwForm.elements.current_password.value, new_password: next });
    pwForm.reset();
    announce("Your password was changed. Your other sessions and tokens were signed out.");
    await Promise.all([refreshSessions(), refreshTokens()]);
  });

  // Tokens
  const created = h("div", { id: "token-created", "aria-live": "polite" });
  const tokenForm = h(
    "form",
    { class: "form", novalidate: true, id: "token-form" },
    formAlert(),
    h(
      "div",
      { class: "field-row" },
      field("name", "Token name", { required: true, maxlength: TOKEN.name.maxLength, hint: "What it is for, e.g. \u201cmy backup script\u201d." }),
      field("scope", "Access", {
        options: enumOptions(TOKEN.scope.enum, { read: "Read only", write: "Read and write" }),
        value: "read",
        hint: "A read-only token cannot change anything.",
      }),
      field("expires_in_days", "Expires after (days)", { type: "number", value: "90", min: DAYS.minimum, max: DAYS.maximum, inputmode: "numeric", hint: `${DAYS.minimum} to ${DAYS.maximum}.` }),
    ),
    h("div", { class: "actions" }, submit("Create token")),
  );
  onSubmit(tokenForm, async () => {
    const days = tokenForm.elements.expires_in_days.value.trim();
    const t = await post("/v1/me/tokens", {
      name: value(tokenForm, "name"),
      scope: value(tokenForm, "scope"),
      ...(days ? { expires_in_days: Number(days) } : {}),
    });
    tokenForm.reset();
    const input = h("input", { type: "text", readonly: true, id: "new-token", value: t.token, class: "mono", "aria-describedby": "new-token-warning" });
    const copy = h("button", { type: "button", class: "button secondary small" }, "Copy");
    copy.addEventListener("click", async () => {
      input.select();
      try {
        await navigator.clipboard.writeText(t.token);
        announce("Token copied.");
      } catch {
        announce("Press Ctrl+C (or Cmd+C) to copy the selected token.");
      }
    });
    created.replaceChildren(
      h(
        "div",
        { class: "notice notice-ok token-box" },
        h("p", {}, h("strong", {}, `Your new token \u201c${t.name}\u201d`)),
        h("label", { for: "new-token", class: "visually-hidden" }, "New token"),
        h("div", { class: "copy-row" }, input, copy),
        h("p", { id: "new-token-warning" }, "Copy it now: it is shown only this once. Send it as \u201cAuthorization: Bearer \u2026\u201d."),
      ),
    );
    input.focus();
    input.select();
    await refreshTokens();
  });

  return h(
    "section",
    { class: "page" },
    pageHeading("Security"),
    tabs(),
    h("section", { class: "panel", "aria-labelledby": "pw-h" }, h("h2", { id: "pw-h" }, "Change password"), h("p", { class: "muted" }, "Changing it signs you out everywhere else."), pwForm),
    h("section", { class: "panel", "aria-labelledby": "sess-h" }, h("h2", { id: "sess-h" }, "Where you are signed in"), sessionList),
    h(
      "section",
      { class: "panel", "aria-labelledby": "tok-h" },
      h("h2", { id: "tok-h" }, "Personal access tokens"),
      h("p", { class: "muted" }, "For scripts and tools that use the Interlibrary API on your behalf."),
      tokenForm,
      created,
      h("h3", {}, "Your tokens"),
      tokenList,
    ),
  );
}
