// Unsubscribing (#/unsubscribe/<token>, the link in a mail's footer): works signed out.
// The page reads what the link does (GET /v1/unsubscribe) and says it, and one button does
// it (POST): a member's link turns one kind of their mail off; a link in mail to an
// address that is no member's stops all mail to it for good. Mail providers' one-click
// unsubscribe posts the same URL of the API directly.
import { ApiError, get, post } from "../../lib/api.js";
import { h, link, replace } from "../../lib/dom.js";
import { queries } from "../../lib/limits.js";
import { pageHeading, sentence } from "../../lib/ui.js";
import { kindInfo } from "./kinds.js";

const TOKEN = queries["/v1/unsubscribe"].token;

/** What the link does: { action (the button), what (a sentence), done, already }. */
function describe(state) {
  if (state.scope === "address") {
    return {
      action: "Never email this address again",
      what: "This link is for an address that has no Interlibrary account. With it, Interlibrary will never email this address again, whoever asks.",
      done: "Done: Interlibrary will never email this address again.",
      already: "This address is already unsubscribed: Interlibrary sends it no email.",
    };
  }
  const info = kindInfo(state.kind);
  return {
    action: info.stop,
    what: `This link stops ${info.noun} to the account it was sent to. Other mail you chose still comes.`,
    done: `Done: you will get no more ${info.noun}.`,
    already: `${sentence(info.noun)} are already off for this account.`,
  };
}

function preferencesLink() {
  return h("p", {}, "To choose each kind of mail, or turn this one back on: ", link("/me/email", "your email settings"), " (you will be asked to log in).");
}

export async function unsubscribeView({ params }) {
  const token = params.token;
  const page = h("section", { class: "page" }, pageHeading("Unsubscribe"));
  const result = h("div", { class: "mail-result", id: "unsubscribe-result", role: "status", tabindex: "-1" });
  const fail = (detail) => {
    page.append(h("div", { class: "notice notice-error", id: "unsubscribe-invalid" }, h("p", {}, detail)));
    return page;
  };
  if (typeof token !== "string" || token.length < TOKEN.minLength || token.length > TOKEN.maxLength) {
    return fail("This unsubscribe link is incomplete or mistyped: copy the whole link from the email.");
  }

  let state;
  try {
    // No session: the link is the proof, and an expired session must not get in the way.
    state = await get("/v1/unsubscribe", { query: { token }, auth: false });
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 400)) return fail(sentence(err.message));
    throw err;
  }
  const d = describe(state);
  if (state.unsubscribed) {
    page.append(h("p", { class: "notice notice-info", id: "unsubscribe-already" }, d.already), state.scope === "member" ? preferencesLink() : null);
    return page;
  }

  const button = h("button", { type: "button", class: "button", id: "unsubscribe-confirm" }, d.action);
  const ask = h("div", { id: "unsubscribe-ask" }, h("p", {}, d.what), h("div", { class: "actions" }, button));
  let sending = false;
  button.addEventListener("click", async () => {
    if (sending) return;
    sending = true;
    button.setAttribute("aria-disabled", "true");
    try {
      const after = await post("/v1/unsubscribe", undefined, { query: { token }, auth: false });
      ask.remove();
      replace(
        result,
        h("p", { class: "notice notice-ok", id: "unsubscribe-done" }, after.unsubscribed ? d.done : d.already),
        after.scope === "member" ? preferencesLink() : null,
      );
      result.focus();
    } catch (err) {
      if (err instanceof ApiError && err.handled) return;
      replace(result, h("p", { class: "notice notice-error" }, err instanceof ApiError ? sentence(err.detail) : "Something went wrong. Please try again."));
      if (!(err instanceof ApiError)) console.error(err);
    } finally {
      sending = false;
      button.removeAttribute("aria-disabled");
    }
  });
  page.append(ask, result);
  return page;
}
