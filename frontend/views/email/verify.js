// Confirming an email address (#/verify-email/<token>, the link of the verification mail):
// the token is posted as soon as the page opens (no session needed: the link is the
// proof). The result replaces "Checking your link…" in a live region: the address is
// verified, with the way on; or the API's detail and a way to ask for a new link.
import { ApiError, post } from "../../lib/api.js";
import { h, link, replace } from "../../lib/dom.js";
import { bodies } from "../../lib/limits.js";
import { currentMember, isSignedIn } from "../../lib/state.js";
import { pageHeading, sentence } from "../../lib/ui.js";
import { refreshMember, resendVerification } from "../../lib/verification.js";

const TOKEN = bodies.EmailTokenRequest.token;

/** Whether `token` can be one of ours at all: a link cut short or mistyped is not sent. */
export function tokenShape(token, limits = TOKEN) {
  return typeof token === "string" && token.length >= limits.minLength && token.length <= limits.maxLength && /^[A-Za-z0-9_-]+$/.test(token);
}

function verified(email) {
  const signedIn = isSignedIn();
  return [
    h("p", { class: "notice notice-ok" }, "Your address ", h("strong", {}, email), " is verified. Thank you!"),
    h("p", {}, "Interlibrary can now email you invitations, reminders and the other mail you choose."),
    signedIn
      ? h("p", { class: "actions" }, link("/me/email", "Choose the mail you get", { class: "button" }), link("/", "Go to the home page", { class: "button secondary" }))
      : h("p", { class: "actions" }, link(`/login?next=${encodeURIComponent("/me/email")}`, "Log in", { class: "button" }), link("/", "Go to the home page", { class: "button secondary" })),
  ];
}

function failed(detail, { askAgain = true } = {}) {
  const parts = [h("p", { class: "notice notice-error" }, detail)];
  if (!askAgain) return parts;
  const me = currentMember();
  if (isSignedIn() && me?.email_verified) {
    parts.push(h("p", {}, "Your address ", h("strong", {}, me.email), " is already verified: there is nothing more to do. ", link("/me/email", "Your email settings"), "."));
  } else if (isSignedIn()) {
    parts.push(h("p", {}, "Ask for a new link: it goes to ", h("strong", {}, me?.email || "your address"), "."));
    parts.push(resendVerification().element);
  } else {
    parts.push(
      h(
        "p",
        {},
        "To get a new link, log in and choose \u201cSend the verification email again\u201d. ",
        link(`/login?next=${encodeURIComponent("/me/email")}`, "Log in to ask for a new link"),
        ".",
      ),
    );
  }
  return parts;
}

export function verifyEmailView({ params, isCurrent }) {
  const token = params.token;
  const result = h("div", { class: "mail-result", id: "verify-result", role: "status" }, h("p", { class: "muted" }, "Checking your link\u2026"));
  const show = (parts) => {
    if (!isCurrent()) return;
    replace(result, ...parts);
  };
  if (!tokenShape(token)) {
    show(failed("This link is incomplete or mistyped: open it from the email again, or copy the whole link."));
  } else {
    post("/v1/email-verification", { token }, { auth: false })
      .then(async (done) => {
        if (isSignedIn()) await refreshMember();
        show(verified(done.email));
      })
      .catch((err) => {
        if (err instanceof ApiError && err.status === 400) show(failed(sentence(err.message)));
        else if (err instanceof ApiError) show(failed(`${sentence(err.detail)} Reload this page in a moment to try again.`, { askAgain: false }));
        else {
          console.error(err);
          show(failed("Something went wrong. Reload this page to try again.", { askAgain: false }));
        }
      });
  }
  return h("section", { class: "page" }, pageHeading("Confirm your email address"), result);
}
