// Register and log in. The token goes to sessionStorage (state.js); after logging in the
// member returns to where they were (?next=), and any form drafts come back with them.
import { post } from "../lib/api.js";
import { h, link } from "../lib/dom.js";
import { field, formAlert, onSubmit, submit, value } from "../lib/forms.js";
import { bodies } from "../lib/limits.js";
import { navigate } from "../lib/router.js";
import { lastMemberId, signIn } from "../lib/state.js";
import { flashNext, pageHeading } from "../lib/ui.js";
import { invitationToken } from "./events/emailinvite.js";
import { dropAllDrafts } from "../lib/forms.js";

const LOGIN = bodies.LoginRequest;
const REGISTER = bodies.RegisterRequest;

/** Only in-app routes are accepted as a place to return to. */
function safeNext(query) {
  const next = query.get("next") || "/";
  return /^\/(?!\/)[^\s]*$/.test(next) && !next.startsWith("/login") && !next.startsWith("/register") ? next : "/";
}

async function logIn(email, password) {
  const result = await post("/v1/sessions", { email, password }, { auth: false });
  // A different member signing in on this tab must not see someone else's drafts.
  if (lastMemberId() && String(result.member.id) !== lastMemberId()) dropAllDrafts();
  signIn(result.token, result.member);
  return result;
}

export function loginView({ query }) {
  const next = safeNext(query);
  const expired = query.get("expired") === "1";
  const form = h(
    "form",
    { class: "form narrow", novalidate: true, id: "login-form" },
    formAlert(),
    field("email", "Email", { type: "email", required: true, autocomplete: "username", maxlength: LOGIN.email.maxLength, spellcheck: "false" }),
    field("password", "Password", { type: "password", required: true, autocomplete: "current-password", maxlength: LOGIN.password.maxLength }),
    h("div", { class: "actions" }, submit("Log in")),
  );
  onSubmit(form, async () => {
    const result = await logIn(value(form, "email"), form.elements.password.value);
    flashNext(`Welcome, ${result.member.display_name}.`);
    navigate(next, { replace: true });
  });
  return h(
    "section",
    { class: "page" },
    pageHeading("Log in"),
    expired
      ? h(
          "div",
          { class: "notice notice-warn", id: "session-expired" },
          h("p", {}, "Your session has ended. Log in again to carry on where you were: anything you had typed has been kept."),
        )
      : null,
    form,
    h("p", {}, link("/reset-password", "Forgot your password?", { id: "forgot-password" })),
    h("p", {}, "New here? ", link(`/register${next !== "/" ? `?next=${encodeURIComponent(next)}` : ""}`, "Create an account")),
  );
}

export function registerView({ query }) {
  const next = safeNext(query);
  // From an email invitation's link: the API answers "going" for the new member.
  const invitation = invitationToken(query);
  const form = h(
    "form",
    { class: "form narrow", novalidate: true, id: "register-form" },
    formAlert(),
    field("display_name", "Your name", {
      required: true,
      autocomplete: "name",
      maxlength: REGISTER.display_name.maxLength,
      hint: "Shown to other members. You can change it later.",
    }),
    field("email", "Email", {
      type: "email",
      required: true,
      autocomplete: "email",
      maxlength: REGISTER.email.maxLength,
      spellcheck: "false",
      hint: "Never shown to other members.",
    }),
    field("password", "Password", {
      type: "password",
      required: true,
      autocomplete: "new-password",
      minlength: REGISTER.password.minLength,
      maxlength: REGISTER.password.maxLength,
      hint: `At least ${REGISTER.password.minLength} characters. A few unrelated words make a strong one.`,
    }),
    h("div", { class: "actions" }, submit("Create account")),
  );
  onSubmit(form, async () => {
    const email = value(form, "email");
    const password = form.elements.password.value;
    const body = { email, password, display_name: value(form, "display_name") };
    if (invitation) body.invitation = invitation;
    await post("/v1/members", body, { auth: false });
    await logIn(email, password);
    flashNext(invitation ? "Welcome to Interlibrary! Your answer to the invitation is saved." : "Welcome to Interlibrary! Tell colleagues a little about yourself.");
    navigate(next !== "/" ? next : "/me", { replace: true });
  });
  return h(
    "section",
    { class: "page" },
    pageHeading("Create an account"),
    h("p", {}, "Interlibrary is for people who work in the region's libraries."),
    invitation
      ? h("p", { class: "notice notice-info", id: "register-invitation" }, "You are signing up from an invitation: once your account is made, you are going to the event (or on its waitlist when it is full).")
      : null,
    form,
    h("p", {}, "Already a member? ", link("/login", "Log in")),
  );
}
