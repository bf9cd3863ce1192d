// What the conversation views share: the other member's name, a message's preview, and
// the dialog that asks why a message is reported.
import { h, uid } from "../../lib/dom.js";
import { bodies } from "../../lib/limits.js";

/** The other member's name, or a stand-in once their account is gone. */
export function otherName(c) {
  return c.member?.display_name || "A former member";
}

/** The first line of a message, shortened. */
export function preview(text, max = 140) {
  if (!text) return "";
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * Ask for the reason of a report in a modal <dialog>. Resolves to the trimmed reason, or
 * null when cancelled.
 */
export function reasonDialog({ title, message, confirmLabel = "Report" }) {
  return new Promise((resolve) => {
    const id = uid("reason");
    const limit = bodies.ReportCreate.reason;
    const textarea = h("textarea", { id, name: "reason", rows: 3, "aria-required": "true", maxlength: limit.maxLength });
    const error = h("p", { class: "field-error", id: `${id}-err`, hidden: true }, "Say briefly what is wrong.");
    const dialog = h(
      "dialog",
      { class: "dialog", "aria-labelledby": `${id}-title`, "aria-describedby": `${id}-desc` },
      h("h2", { id: `${id}-title` }, title),
      h("p", { id: `${id}-desc` }, message),
      h(
        "form",
        { method: "dialog", class: "form" },
        h("div", { class: "field" }, h("label", { for: id }, "Why are you reporting it?"), textarea, error),
        h(
          "div",
          { class: "actions" },
          h("button", { value: "cancel", class: "button secondary", type: "submit", formnovalidate: true }, "Cancel"),
          h("button", { value: "ok", class: "button danger", type: "submit" }, confirmLabel),
        ),
      ),
    );
    const opener = document.activeElement;
    dialog.querySelector("form").addEventListener("submit", (event) => {
      if (event.submitter?.value === "ok" && !textarea.value.trim()) {
        event.preventDefault();
        error.hidden = false;
        textarea.setAttribute("aria-invalid", "true");
        textarea.setAttribute("aria-describedby", error.id);
        textarea.focus();
      }
    });
    dialog.addEventListener("close", () => {
      const reason = dialog.returnValue === "ok" ? textarea.value.trim() : null;
      dialog.remove();
      if (opener && typeof opener.focus === "function" && opener.isConnected) opener.focus();
      resolve(reason || null);
    });
    document.body.append(dialog);
    dialog.showModal();
    textarea.focus();
  });
}
