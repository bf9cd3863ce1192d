// The kinds of mail a member chooses (the switches of GET /v1/me/email-preferences), in
// the order the preferences page lists them: a label, a one-line explanation, and what
// an unsubscribe link stops. A kind the API added since shows under its own name.

export const MAIL_KINDS = {
  invitations: {
    label: "Invitations to events",
    hint: "When a member invites you to an event.",
    stop: "Stop invitation emails",
    noun: "invitation emails",
  },
  reminders: {
    label: "RSVP confirmations and reminders",
    hint: "When you answer an event's RSVP, and the day before an event you are going to.",
    stop: "Stop reminder emails",
    noun: "RSVP confirmations and reminders",
  },
  changes: {
    label: "Changes to your events",
    hint: "An event you are going to moves or is cancelled, or a waitlist place comes free for you.",
    stop: "Stop emails about changed events",
    noun: "emails about changes to your events",
  },
  digest: {
    label: "Weekly digest",
    hint: "Once a week: events coming up near you, new collaborations and mentoring requests waiting for you.",
    stop: "Stop the weekly digest",
    noun: "weekly digest emails",
  },
  mentorship: {
    label: "Mentoring",
    hint: "Requests for your mentoring, and answers to your own requests.",
    stop: "Stop mentoring emails",
    noun: "mentoring emails",
  },
  collaboration: {
    label: "Collaborations",
    hint: "Requests to join your collaborations, and answers to your requests to join.",
    stop: "Stop collaboration emails",
    noun: "collaboration emails",
  },
  messages: {
    label: "Messages",
    hint: "New messages from people you have met.",
    stop: "Stop message emails",
    noun: "message emails",
  },
};

/** The fields of the preferences that are not switches. */
const NOT_KINDS = new Set(["email", "email_verified", "address_rejected"]);

/** The kinds in `prefs` (a preferences object): the known ones first, in order. */
export function kindsOf(prefs) {
  const known = Object.keys(MAIL_KINDS).filter((k) => k in prefs);
  const added = Object.keys(prefs).filter((k) => !NOT_KINDS.has(k) && !(k in MAIL_KINDS) && typeof prefs[k] === "boolean");
  return [...known, ...added];
}

/** The label, explanation and unsubscribe wording of a kind (its own name when unknown). */
export function kindInfo(kind) {
  return MAIL_KINDS[kind] || { label: kind, hint: "", stop: `Stop ${kind} emails`, noun: `${kind} emails` };
}
