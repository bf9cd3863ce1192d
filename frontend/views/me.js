// My profile and account: about fields, skills and interests, mentoring offer (#/me),
// who sees what and who may invite me (#/me/privacy), password, sessions and personal
// access tokens (#/me/security), export and account deletion (#/me/data).
import { ApiError, del, get, patch, post, put } from "../lib/api.js";
import { h, link, parseList, saveFile, time } from "../lib/dom.js";
import { draftNotice, dropAllDrafts, dropDraft, field, formAlert, keepDraft, onSubmit, radioGroup, submit, value } from "../lib/forms.js";
import { current, navigate } from "../lib/router.js";
import { setCurrentMember, signOut } from "../lib/state.js";
import { announce, confirmDialog, flashNext, pageHeading, showError } from "../lib/ui.js";

const TABS = [
  ["/me", "Profile"],
  ["/me/privacy", "Privacy"],
  ["/me/security", "Security"],
  ["/me/data", "Your data"],
];

function tabs() {
  const { path } = current();
  return h(
    "nav",
    { class: "subnav", "aria-label": "My account" },
    h("ul", {}, TABS.map(([p, label]) => h("li", {}, link(p, label, { "aria-current": p === path ? "page" : null })))),
  );
}

async function loadMe() {
  const me = await get("/v1/me");
  setCurrentMember(me);
  return me;
}

// --- Profile ---------------------------------------------------------------------------

export async function profileView() {
  const me = await loadMe();
  const m = me.mentoring || { available: false, topics: [], capacity: 0 };
  const form = h(
    "form",
    { class: "form", novalidate: true, id: "profile-form" },
    formAlert(),
    h(
      "fieldset",
      { class: "group" },
      h("legend", {}, "About you"),
      field("display_name", "Name", { value: me.display_name, required: true, maxlength: 80, autocomplete: "name" }),
      h(
        "div",
        { class: "field-row" },
        field("pronouns", "Pronouns", { value: me.pronouns, maxlength: 40, hint: "For example she/her, they/them." }),
        field("city", "City", { value: me.city, maxlength: 80, autocomplete: "address-level2" }),
      ),
      field("title", "Job title", { value: me.title, maxlength: 120, autocomplete: "organization-title" }),
      field("bio", "Bio", { value: me.bio, rows: 5, maxlength: 2000, hint: "A few lines about your work and what you'd like to share." }),
      field("skills", "Skills", {
        value: (me.skills || []).join(", "),
        hint: "Separate with commas, up to 20 (e.g. cataloguing, grant writing).",
      }),
      field("interests", "Interests", {
        value: (me.interests || []).join(", "),
        hint: "Separate with commas, up to 20.",
      }),
    ),
    h(
      "fieldset",
      { class: "group", dataset: { field: "mentoring" } },
      h("legend", {}, "Mentoring"),
      h("p", { class: "hint" }, "Offer to mentor colleagues. Members can then ask you for mentoring on your topics."),
      field("mentoring.available", "I am available as a mentor", { type: "checkbox", value: m.available }),
      field("mentoring.topics", "Topics", { value: (m.topics || []).join(", "), hint: "Separate with commas, up to 10." }),
      field("mentoring.capacity", "How many mentees at once", {
        type: "number",
        value: String(m.capacity ?? 0),
        min: 0,
        max: 10,
        inputmode: "numeric",
        hint: "From 0 to 10.",
      }),
    ),
    h("div", { class: "actions" }, submit("Save profile")),
  );
  keepDraft(form, "me-profile");
  onSubmit(form, async () => {
    const cap = form.elements["mentoring.capacity"].value.trim();
    const body = {
      display_name: value(form, "display_name"),
      pronouns: value(form, "pronouns"),
      title: value(form, "title"),
      city: value(form, "city"),
      bio: form.elements.bio.value.trim(),
      skills: parseList(value(form, "skills")),
      interests: parseList(value(form, "interests")),
      mentoring: {
        available: value(form, "mentoring.available"),
        topics: parseList(value(form, "mentoring.topics")),
        capacity: cap === "" ? null : Number(cap),
      },
    };
    const updated = await patch("/v1/me", body);
    dropDraft("me-profile");
    setCurrentMember(updated);
    form.querySelector("#draft-restored")?.remove();
    announce("Your profile was saved.");
  });
  return h(
    "section",
    { class: "page" },
    pageHeading("My profile", link(`/members/${me.id}`, "See my public profile", { class: "button secondary" })),
    tabs(),
    h("p", { class: "muted" }, "Signed in as ", h("strong", {}, me.email), ". Your email is never shown to other members."),
    draftNotice(form),
    form,
  );
}

// --- Privacy ---------------------------------------------------------------------------

const WHO = [
  ["public", "Everyone", "Anyone, including people who are not signed in."],
  ["members", "Members", "Only people signed in to Interlibrary."],
  ["private", "Only me", "Nobody else sees it."],
];

const INVITES = [
  ["anyone", "Anyone", "Any member may invite you to events."],
  ["met", "People I have met", "Only members you went to an event with, once the event has ended."],
  ["organizations", "People in my organizations", "Only members of the organizations you belong to. This is the default."],
  ["nobody", "Nobody", "Nobody can invite you. You can still find events and join them yourself."],
];

export async function privacyView() {
  const me = await loadMe();
  const vis = me.visibility || {};
  const form = h(
    "form",
    { class: "form", novalidate: true, id: "privacy-form" },
    formAlert(),
    h(
      "p",
      { class: "hint" },
      "Your name is always visible to signed-in members, and to everyone when \u201cAbout you\u201d is visible to everyone. Your email is never shown to anyone.",
    ),
    radioGroup("visibility.about", "Who can see \u201cAbout you\u201d", WHO, vis.about, {
      hint: "Your pronouns, job title, bio, city, skills and interests.",
    }),
    radioGroup("visibility.affiliations", "Who can see your organizations", WHO, vis.affiliations, {
      hint: "The libraries and associations you are an active member of.",
    }),
    radioGroup("visibility.mentoring", "Who can see your mentoring offer", WHO, vis.mentoring, {
      hint: "Whether you are available as a mentor, your topics and how many mentees you take.",
    }),
    radioGroup("invitations", "Who can invite you to events", INVITES, me.invitations, {
      hint: "Invitations always say why you received them. You can report unwanted ones.",
    }),
    h("div", { class: "actions" }, submit("Save privacy settings")),
  );
  keepDraft(form, "me-privacy");
  onSubmit(form, async () => {
    const updated = await patch("/v1/me", {
      visibility: {
        about: value(form, "visibility.about") || null,
        affiliations: value(form, "visibility.affiliations") || null,
        mentoring: value(form, "visibility.mentoring") || null,
      },
      invitations: value(form, "invitations") || null,
    });
    dropDraft("me-privacy");
    setCurrentMember(updated);
    form.querySelector("#draft-restored")?.remove();
    announce("Your privacy settings were saved.");
  });
  return h("section", { class: "page" }, pageHeading("Privacy"), tabs(), draftNotice(form), form);
}

// --- Security: password, sessions, tokens -----------------------------------------------

function describeAgent(ua) {
  if (!ua) return "Unknown device";
  const browser = /Firefox\//.test(ua) ? "Firefox" : /Edg\//.test(ua) ? "Edge" : /Chrom(e|ium)\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : /curl\//.test(ua) ? "curl" : null;
  const os = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Windows/.test(ua) ? "Windows" : /Mac OS X/.test(ua) ? "macOS" : /Linux/.test(ua) ? "Linux" : null;
  return browser || os ? [browser, os].filter(Boolean).join(" on ") : ua.slice(0, 60);
}

function sessionItem(s, refresh) {
  const label = describeAgent(s.user_agent);
  const btn = h("button", { type: "button", class: "button secondary small" }, s.current ? "Log out here" : "Revoke");
  btn.setAttribute("aria-label", s.current ? "Log out here (this session)" : `Revoke session: ${label}, last used ${new Date(s.last_used_at).toLocaleString("en")}`);
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
      h("p", { class: "muted small" }, "Signed in ", time(s.created_at), " · last used ", time(s.last_used_at), " · expires ", time(s.expires_at)),
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
      h("p", { class: "muted small" }, "Created ", time(t.created_at), " · last used ", time(t.last_used_at), " · expires ", time(t.expires_at)),
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
    field("new_password", "New password", { type: "password", required: true, autocomplete: "new-password", minlength: 12, hint: "At least 12 characters." }),
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
      field("name", "Token name", { required: true, maxlength: 80, hint: "What it is for, e.g. \u201cmy backup script\u201d." }),
      field("scope", "Access", {
        options: [
          ["read", "Read only"],
          ["write", "Read and write"],
        ],
        value: "read",
        hint: "A read-only token cannot change anything.",
      }),
      field("expires_in_days", "Expires after (days)", { type: "number", value: "90", min: 1, max: 365, inputmode: "numeric", hint: "1 to 365." }),
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

// --- Your data: export, delete -----------------------------------------------------------

export async function dataView() {
  const me = await loadMe();
  const exportBtn = h("button", { type: "button", class: "button", id: "export" }, "Download my data (JSON)");
  exportBtn.addEventListener("click", async () => {
    exportBtn.disabled = true;
    try {
      const data = await get("/v1/me/export");
      saveFile(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }), `interlibrary-export-${new Date().toISOString().slice(0, 10)}.json`);
      announce("Your data was downloaded.");
    } catch (err) {
      showError(err);
    } finally {
      exportBtn.disabled = false;
    }
  });

  const delForm = h(
    "form",
    { class: "form narrow", novalidate: true, id: "delete-form" },
    formAlert(),
    field("confirm_email", "Type your email to confirm", { type: "email", required: true, autocomplete: "off", spellcheck: "false", hint: me.email }),
    h("div", { class: "actions" }, submit("Delete my account", { cls: "button danger" })),
  );
  delForm.elements.confirm_email.dataset.noDraft = "";
  onSubmit(delForm, async () => {
    if (value(delForm, "confirm_email").toLowerCase() !== String(me.email).toLowerCase()) {
      throw new ApiError(400, {
        detail: "The email does not match.",
        errors: [{ field: "confirm_email", message: "type the email you sign in with" }],
      });
    }
    const ok = await confirmDialog("Your profile, memberships and settings will be removed and you will be signed out everywhere. This cannot be undone.", {
      title: "Delete your account?",
      confirmLabel: "Delete my account",
      danger: true,
    });
    if (!ok) return;
    await del("/v1/me");
    signOut();
    dropAllDrafts();
    flashNext("Your account was deleted. Thank you for being part of Interlibrary.");
    navigate("/");
  });

  return h(
    "section",
    { class: "page" },
    pageHeading("Your data"),
    tabs(),
    h(
      "section",
      { class: "panel", "aria-labelledby": "exp-h" },
      h("h2", { id: "exp-h" }, "Export"),
      h("p", {}, "Everything Interlibrary holds about you, as one JSON file: your profile, sessions, tokens (never the tokens themselves), memberships and notifications."),
      exportBtn,
    ),
    h(
      "section",
      { class: "panel danger-zone", "aria-labelledby": "del-h" },
      h("h2", { id: "del-h" }, "Delete your account"),
      h("p", {}, "If you are the last admin of an organization, make someone else an admin first."),
      delForm,
    ),
  );
}

