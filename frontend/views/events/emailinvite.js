// The panel an email invitation's link opens on the event's page
// (#/events/{id}?invitation=<token>) for someone not signed in: sign up and go (the
// registration carries the token, and the API answers "going" for them), log in, or report
// the invitation as unwanted (it counts against its sender).  Signed in, a notice points to
// the RSVP.
import { post } from "../../lib/api.js";
import { h, link } from "../../lib/dom.js";
import { showError } from "../../lib/ui.js";

/** The token of an invitation link, or null when it cannot be one. */
export function invitationToken(query) {
  const t = query?.get("invitation") || "";
  return /^[A-Za-z0-9_-]{43}$/.test(t) ? t : null;
}

export function invitationPanel(ev, token) {
  const next = `/events/${ev.id}`;
  const status = h("p", { id: "invitation-report-status", "aria-live": "polite" });
  const report = h("button", { type: "button", class: "button secondary", id: "report-invitation" }, "Report as unwanted");
  report.addEventListener("click", async () => {
    report.disabled = true;
    try {
      await post("/v1/email-invitations/report", { token }, { auth: false });
      status.textContent = "Thank you: the invitation is reported and the site's admins will look at it.";
      report.remove();
    } catch (err) {
      report.disabled = false;
      showError(err);
    }
  });
  return h(
    "section",
    { class: "panel invitation-panel", id: "invitation-panel", "aria-labelledby": "invitation-h" },
    h("h2", { id: "invitation-h" }, "You are invited"),
    h("p", {}, "You were invited to this event by email. Interlibrary is free, for people who work in the region's libraries: sign up and you are going (or on the waitlist when it is full)."),
    h(
      "div",
      { class: "actions" },
      link(`/register?invitation=${encodeURIComponent(token)}&next=${encodeURIComponent(next)}`, "Sign up and go", { class: "button", id: "accept-invitation" }),
      " ",
      link(`/login?next=${encodeURIComponent(next)}`, "Log in", { class: "button secondary" }),
    ),
    h("p", { class: "muted" }, "Already a member? Log in and answer the RSVP below. Not for you? Ignore the invitation, or report it if it was unwanted."),
    h("div", { class: "actions" }, report),
    status,
  );
}

/** The same link opened while signed in: the RSVP below is the answer. */
export function invitationNotice() {
  return h("p", { class: "notice notice-info", id: "invitation-notice" }, "You were invited to this event by email: answer with the RSVP below.");
}
