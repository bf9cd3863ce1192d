// Your data (#/me/data): the export of everything held about me, and deleting the
// account.
import { ApiError, del, get } from "../../lib/api.js";
import { h, saveFile } from "../../lib/dom.js";
import { dropAllDrafts, field, formAlert, onSubmit, submit, value } from "../../lib/forms.js";
import { navigate } from "../../lib/router.js";
import { signOut } from "../../lib/state.js";
import { announce, confirmDialog, flashNext, pageHeading, showError } from "../../lib/ui.js";
import { loadMe, tabs } from "./account.js";

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
