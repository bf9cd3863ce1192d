// Email (#/me/email): the address and whether it is verified (with the resend button), and
// one switch per kind of mail, saved with PATCH /v1/me/email-preferences. Mail links
// ("Choose the mail you get") lead here.
import { get, patch } from "../../lib/api.js";
import { h, replace } from "../../lib/dom.js";
import { draftNotice, dropDraft, field, formAlert, keepDraft, onSubmit, submit, value } from "../../lib/forms.js";
import { announce, pageHeading } from "../../lib/ui.js";
import { refreshMember, resendVerification } from "../../lib/verification.js";
import { kindInfo, kindsOf } from "../email/kinds.js";
import { tabs } from "./account.js";

/** The address panel's content for the preferences `p`. */
function addressState(p, panel) {
  const address = h("p", {}, "Interlibrary writes to ", h("strong", { id: "email-address" }, p.email), ". Your email is never shown to other members.");
  if (p.address_rejected) {
    return [
      address,
      h(
        "div",
        { class: "notice notice-error", id: "address-rejected" },
        h("p", {}, h("strong", {}, "Mail to this address is refused."), " Its mail server refused our mail for good, so Interlibrary sends nothing to it, not even password-reset links."),
      ),
    ];
  }
  if (p.email_verified) {
    return [address, h("p", { id: "email-status" }, h("span", { class: "pill pill-ok" }, "Verified"), " Your address is confirmed: the mail you choose below is sent to it.")];
  }
  const resend = resendVerification({
    onVerified: () => {
      // The button goes away with the state it belonged to: focus the new state.
      replace(panel, ...addressState({ ...p, email_verified: true }, panel));
      const status = panel.querySelector("#email-status");
      status.setAttribute("tabindex", "-1");
      status.focus();
    },
  });
  return [
    address,
    h(
      "p",
      { id: "email-status" },
      h("span", { class: "pill pill-warn" }, "Not verified"),
      " Open the link we emailed you to confirm the address. Until then Interlibrary sends you no email except password-reset links.",
    ),
    resend.element,
  ];
}

export async function emailView() {
  const prefs = await get("/v1/me/email-preferences");
  refreshMember();
  const panelBody = h("div", { id: "email-address-state" });
  replace(panelBody, ...addressState(prefs, panelBody));

  const kinds = kindsOf(prefs);
  const form = h(
    "form",
    { class: "form", novalidate: true, id: "email-preferences-form" },
    formAlert(),
    h(
      "fieldset",
      { class: "group" },
      h("legend", {}, "Email me about"),
      h("p", { class: "hint" }, "Mail about your account itself, such as confirming your address or resetting your password, is sent whatever you choose here."),
      kinds.map((k) => {
        const info = kindInfo(k);
        return field(k, info.label, { type: "checkbox", value: prefs[k], hint: info.hint || undefined });
      }),
    ),
    h("div", { class: "actions" }, submit("Save email preferences")),
  );
  keepDraft(form, "me-email");
  const restored = draftNotice(form);
  onSubmit(form, async () => {
    const body = {};
    for (const k of kinds) body[k] = value(form, k);
    const saved = await patch("/v1/me/email-preferences", body);
    for (const k of kinds) {
      if (form.elements[k] && typeof saved[k] === "boolean") form.elements[k].checked = saved[k];
    }
    dropDraft("me-email");
    restored?.remove();
    announce("Your email preferences were saved.");
  });

  return h(
    "section",
    { class: "page" },
    pageHeading("Email"),
    tabs(),
    h("section", { class: "panel", "aria-labelledby": "email-address-h" }, h("h2", { id: "email-address-h" }, "Your address"), panelBody),
    h("section", { class: "panel", "aria-labelledby": "email-kinds-h" }, h("h2", { id: "email-kinds-h" }, "The mail you get"), restored, form),
  );
}
