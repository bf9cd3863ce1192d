// A forgotten password: asking for a reset link (#/reset-password, from "Forgot your
// password?" on the log-in page) and choosing a new password with it
// (#/reset-password/<token>, the link of the mail). The request always gets the same
// answer, whether or not an account uses the address. A new password ends every session
// of the member, this tab's included: the app forgets its token and sends them to log in.
import { ApiError, post } from "../../lib/api.js";
import { h, link, replace } from "../../lib/dom.js";
import { field, formAlert, onSubmit, submit, value } from "../../lib/forms.js";
import { bodies } from "../../lib/limits.js";
import { navigate } from "../../lib/router.js";
import { isSignedIn, signOut } from "../../lib/state.js";
import { flashNext, pageHeading, sentence, waitText } from "../../lib/ui.js";
import { tokenShape } from "./verify.js";

const REQUEST = bodies.PasswordResetRequest;
const CONFIRM = bodies.PasswordResetConfirm;

/** A 429 in words: the API's detail and how long to wait. */
function tooMany(err) {
  return new ApiError(429, {
    detail: `${sentence(err.message)}${err.retryAfter ? ` You can try again ${waitText(err.retryAfter)}.` : ""}`,
    code: err.code,
  });
}

export function resetRequestView() {
  const form = h(
    "form",
    { class: "form narrow", novalidate: true, id: "reset-request-form" },
    formAlert(),
    field("email", "Email", {
      type: "email",
      required: true,
      autocomplete: "email",
      maxlength: REQUEST.email.maxLength,
      spellcheck: "false",
      hint: "The address you log in with.",
    }),
    h("div", { class: "actions" }, submit("Email me a reset link")),
  );
  const result = h("div", { class: "mail-result", id: "reset-request-result", role: "status", tabindex: "-1" });
  const again = h("button", { type: "button", class: "button secondary", id: "reset-again" }, "Use another address or send again");
  again.addEventListener("click", () => {
    result.replaceChildren();
    form.hidden = false;
    form.elements.email.focus();
  });
  onSubmit(form, async () => {
    const email = value(form, "email");
    if (email.length < REQUEST.email.minLength) {
      throw new ApiError(400, { detail: "Type your email address.", errors: [{ field: "email", message: "type the address you log in with" }] });
    }
    let accepted;
    try {
      accepted = await post("/v1/password-resets", { email }, { auth: false });
    } catch (err) {
      throw err instanceof ApiError && err.status === 429 ? tooMany(err) : err;
    }
    form.hidden = true;
    replace(
      result,
      h("p", { class: "notice notice-ok", id: "reset-request-detail" }, sentence(accepted.detail)),
      h("p", {}, "Nothing after a few minutes? Check your spam folder, and that you typed the address you log in with."),
      h("p", { class: "actions" }, again, link("/login", "Back to log in", { class: "button secondary" })),
    );
    result.focus();
  });
  return h(
    "section",
    { class: "page" },
    pageHeading("Reset your password"),
    isSignedIn()
      ? h("p", { class: "notice notice-info" }, "You are logged in: you can change your password on ", link("/me/security", "Security"), " without a link.")
      : null,
    h("p", {}, "Forgot your password? Type your email address and we will send you a link to choose a new one."),
    form,
    result,
    h("p", {}, "Remembered it? ", link("/login", "Log in"), "."),
  );
}

export function resetConfirmView({ params }) {
  const token = params.token;
  const min = CONFIRM.password.minLength;
  const max = CONFIRM.password.maxLength;
  const result = h("div", { class: "mail-result", id: "reset-result", role: "alert", tabindex: "-1" });
  const invalid = (detail) => [
    h("p", { class: "notice notice-error", id: "reset-invalid" }, detail),
    h("p", {}, link("/reset-password", "Ask for a new link", { class: "button" })),
  ];
  const page = h("section", { class: "page" }, pageHeading("Choose a new password"));
  if (!tokenShape(token, CONFIRM.token)) {
    // Nothing to post: no token of ours looks like this (cut short, or mistyped).
    page.append(h("div", { class: "mail-result", id: "reset-result" }, ...invalid("This link is incomplete or mistyped: open it from the email again, or copy the whole link.")));
    return page;
  }

  const form = h(
    "form",
    { class: "form narrow", novalidate: true, id: "reset-form" },
    formAlert(),
    field("password", "New password", {
      type: "password",
      required: true,
      autocomplete: "new-password",
      minlength: min,
      maxlength: max,
      hint: `At least ${min} characters. A few unrelated words make a strong one.`,
    }),
    field("confirm_password", "Repeat the new password", { type: "password", required: true, autocomplete: "new-password", maxlength: max }),
    h("div", { class: "actions" }, submit("Set new password")),
  );
  onSubmit(form, async () => {
    const password = form.elements.password.value;
    if (password.length < min || password.length > max) {
      throw new ApiError(400, {
        detail: "Please correct the marked fields.",
        errors: [{ field: "password", message: password.length < min ? `use at least ${min} characters` : `use at most ${max} characters` }],
      });
    }
    if (password !== form.elements.confirm_password.value) {
      throw new ApiError(400, {
        detail: "The passwords do not match.",
        errors: [{ field: "confirm_password", message: "does not match the new password" }],
      });
    }
    try {
      await post("/v1/password-resets/confirm", { token, password }, { auth: false });
    } catch (err) {
      if (err instanceof ApiError && err.code === "invalid_token") {
        form.remove();
        replace(result, ...invalid(sentence(err.message)));
        result.focus();
        return;
      }
      throw err;
    }
    // Every session of the member has ended, this tab's too if it was theirs; whoever
    // was signed in here must log in again anyway.
    signOut();
    flashNext("Your password was changed and you were logged out everywhere. Log in with your new password.");
    navigate("/login", { replace: true });
  });
  page.append(h("p", {}, "Choose the password you will log in with from now on. Setting it logs you out on every device."), form, result);
  return page;
}
