// Generated from openapi.yaml by scripts/gen-limits.mjs: do not edit. After a change to
// openapi.yaml run `cd tests && node ../scripts/gen-limits.mjs`; make test fails while the
// two disagree (tests/contract/limits.test.mjs).
//
// bodies:     per request body schema, per field ("mentoring.capacity" inside an object)
// queries:    per GET path, per query parameter
// parameters: the query parameters of components/parameters, by name
// enums:      the values of each enumeration schema, in the contract's order
// Each limit uses the JSON Schema keywords: enum, minLength, maxLength, minimum, maximum,
// minItems, maxItems, and items (the limits of each item of a list); countMaximum and
// yearsMaximum are the contract's x-count-maximum and x-years-maximum (a rule's COUNT).

export const parameters = {
  MentorTopic: { minLength: 1, maxLength: 40 },
  Near: { minLength: 1, maxLength: 60 },
  WithinKm: { minimum: 1, maximum: 500 },
  SuggestionLimit: { minimum: 1, maximum: 50 },
  MentorshipRole: { enum: ["mentor", "mentee"] },
  MentorshipStatusFilter: { enum: ["requested", "accepted", "declined", "withdrawn", "completed", "cancelled"] },
  Limit: { minimum: 1, maximum: 100 },
  Cursor: { minLength: 1, maxLength: 512 },
  Q: { minLength: 1, maxLength: 100 },
  Skill: { minLength: 1, maxLength: 40 },
  Interest: { minLength: 1, maxLength: 40 },
  City: { minLength: 1, maxLength: 80 },
  OrganizationFilter: { minLength: 1, maxLength: 64 },
  Mentoring: { enum: ["available"] },
  Kind: { enum: ["public_library", "academic_library", "school_library", "special_library", "association", "other"] },
  MembershipStatusFilter: { enum: ["active", "pending"] },
  EventFrom: { minLength: 20, maxLength: 40 },
  EventTo: { minLength: 20, maxLength: 40 },
  EventOrganizationFilter: { minLength: 1, maxLength: 64 },
  EventKindFilter: { enum: ["social", "meetup", "training", "tour", "advocacy", "celebration", "conference"] },
  EventTag: { minLength: 1, maxLength: 40 },
  RsvpStatusFilter: { enum: ["going", "waitlisted", "maybe", "not_going"] },
  InvitationStatusFilter: { enum: ["pending", "accepted", "declined", "reported_spam"] },
  FeedFrom: { minLength: 20, maxLength: 40 },
  FeedTo: { minLength: 20, maxLength: 40 },
  CalendarKey: { minLength: 43, maxLength: 43 },
  UnsubscribeToken: { minLength: 1, maxLength: 200 },
};

const EventWritable = {
  title: { minLength: 1, maxLength: 200 },
  description: { maxLength: 10000 },
  kind: { enum: ["social", "meetup", "training", "tour", "advocacy", "celebration", "conference"] },
  tags: { maxItems: 10, items: { minLength: 1, maxLength: 40 } },
  starts_at: { minLength: 20, maxLength: 40 },
  ends_at: { minLength: 20, maxLength: 40 },
  timezone: { minLength: 1, maxLength: 64 },
  venue: { maxLength: 200 },
  address: { maxLength: 300 },
  city: { maxLength: 80 },
  latitude: { minimum: -90, maximum: 90 },
  longitude: { minimum: -180, maximum: 180 },
  online_url: { maxLength: 500 },
  accessibility_notes: { maxLength: 2000 },
  capacity: { minimum: 1, maximum: 100000 },
  guest_limit: { minimum: 0, maximum: 20 },
  organization: { minLength: 1, maxLength: 64 },
  organizers: { maxItems: 20, items: { minimum: 1 } },
  target: { maxLength: 300 },
  talking_points: { maxLength: 10000 },
};

export const bodies = {
  RegisterRequest: {
    email: { minLength: 3, maxLength: 254 },
    password: { minLength: 12, maxLength: 1024 },
    display_name: { minLength: 1, maxLength: 80 },
    invitation: { minLength: 43, maxLength: 43 },
  },
  LoginRequest: {
    email: { minLength: 1, maxLength: 254 },
    password: { minLength: 1, maxLength: 1024 },
  },
  MePatch: {
    display_name: { minLength: 1, maxLength: 80 },
    pronouns: { maxLength: 40 },
    title: { maxLength: 120 },
    bio: { maxLength: 2000 },
    city: { maxLength: 80 },
    skills: { maxItems: 20, items: { minLength: 1, maxLength: 40 } },
    interests: { maxItems: 20, items: { minLength: 1, maxLength: 40 } },
    "mentoring.topics": { maxItems: 10, items: { minLength: 1, maxLength: 40 } },
    "mentoring.capacity": { minimum: 0, maximum: 10 },
    "visibility.about": { enum: ["public", "members", "private"] },
    "visibility.affiliations": { enum: ["public", "members", "private"] },
    "visibility.mentoring": { enum: ["public", "members", "private"] },
    invitations: { enum: ["anyone", "met", "organizations", "nobody"] },
    home_latitude: { minimum: -90, maximum: 90 },
    home_longitude: { minimum: -180, maximum: 180 },
  },
  PasswordChange: {
    current_password: { minLength: 1, maxLength: 1024 },
    new_password: { minLength: 12, maxLength: 1024 },
  },
  TokenCreateRequest: {
    name: { minLength: 1, maxLength: 80 },
    scope: { enum: ["read", "write"] },
    expires_in_days: { minimum: 1, maximum: 365 },
  },
  EmailTokenRequest: {
    token: { minLength: 43, maxLength: 43 },
  },
  PasswordResetRequest: {
    email: { minLength: 1, maxLength: 254 },
  },
  PasswordResetConfirm: {
    token: { minLength: 43, maxLength: 43 },
    password: { minLength: 12, maxLength: 1024 },
  },
  OrganizationCreate: {
    name: { minLength: 1, maxLength: 120 },
    slug: { minLength: 1, maxLength: 64 },
    kind: { enum: ["public_library", "academic_library", "school_library", "special_library", "association", "other"] },
    city: { minLength: 1, maxLength: 80 },
    website: { maxLength: 300 },
    description: { maxLength: 4000 },
    latitude: { minimum: -90, maximum: 90 },
    longitude: { minimum: -180, maximum: 180 },
  },
  OrganizationPatch: {
    name: { minLength: 1, maxLength: 120 },
    slug: { minLength: 1, maxLength: 64 },
    kind: { enum: ["public_library", "academic_library", "school_library", "special_library", "association", "other"] },
    city: { minLength: 1, maxLength: 80 },
    website: { maxLength: 300 },
    description: { maxLength: 4000 },
    latitude: { minimum: -90, maximum: 90 },
    longitude: { minimum: -180, maximum: 180 },
  },
  MembershipAdd: {
    member_id: { minimum: 1 },
    role: { enum: ["admin", "member"] },
  },
  MembershipPatch: {
    status: { enum: ["active"] },
    role: { enum: ["admin", "member"] },
  },
  EventCreate: {
    ...EventWritable,
    recurrence: { minLength: 1, maxLength: 500, countMaximum: 200, yearsMaximum: 2 },
  },
  EventPatch: {
    ...EventWritable,
    recap: { maxLength: 10000 },
  },
  EventCancel: {
    reason: { maxLength: 1000 },
  },
  RsvpPut: {
    response: { enum: ["going", "maybe", "not_going"] },
    guests: { minimum: 0, maximum: 20 },
  },
  AttendanceRequest: {
    records: { minItems: 1, maxItems: 500 },
  },
  InviteRequest: {
    member_ids: { minItems: 1, maxItems: 50, items: { minimum: 1 } },
    emails: { minItems: 1, maxItems: 50, items: { minLength: 1, maxLength: 254 } },
  },
  InvitationPatch: {
    status: { enum: ["accepted", "declined", "reported_spam"] },
  },
  MentorshipCreate: {
    mentor_id: { minimum: 1 },
    topic: { minLength: 1, maxLength: 40 },
    message: { minLength: 1, maxLength: 2000 },
    goals: { maxItems: 10, items: { minLength: 1, maxLength: 200 } },
  },
  MentorshipPatch: {
    status: { enum: ["requested", "accepted", "declined", "withdrawn", "completed", "cancelled"] },
    reason: { maxLength: 1000 },
  },
  CheckInCreate: {
    date: { minLength: 10, maxLength: 10 },
    note: { minLength: 1, maxLength: 4000 },
    goals: { maxItems: 10, items: { minLength: 1, maxLength: 200 } },
  },
  CollaborationCreate: {
    title: { minLength: 1, maxLength: 200 },
    summary: { minLength: 1, maxLength: 4000 },
    skills_wanted: { maxItems: 20, items: { minLength: 1, maxLength: 40 } },
    organization: { minLength: 1, maxLength: 64 },
  },
  CollaborationPatch: {
    title: { minLength: 1, maxLength: 200 },
    summary: { minLength: 1, maxLength: 4000 },
    skills_wanted: { maxItems: 20, items: { minLength: 1, maxLength: 40 } },
    status: { enum: ["proposed", "seeking_partners", "active", "completed", "archived"] },
    organization: { minLength: 1, maxLength: 64 },
  },
  ParticipantCreate: {
    message: { minLength: 1, maxLength: 2000 },
    skills_offered: { maxItems: 20, items: { minLength: 1, maxLength: 40 } },
    organization: { minLength: 1, maxLength: 64 },
    "cost_share.amount": { minLength: 1, maxLength: 13 },
    "cost_share.currency": { minLength: 3, maxLength: 3 },
    "cost_share.note": { maxLength: 500 },
  },
  ParticipantPatch: {
    status: { enum: ["approved", "declined", "left"] },
    role: { enum: ["owner", "participant"] },
    message: { maxLength: 2000 },
    skills_offered: { maxItems: 20, items: { minLength: 1, maxLength: 40 } },
    "cost_share.amount": { minLength: 1, maxLength: 13 },
    "cost_share.currency": { minLength: 3, maxLength: 3 },
    "cost_share.note": { maxLength: 500 },
  },
  CollaborationUpdateCreate: {
    body: { minLength: 1, maxLength: 5000 },
  },
  ReportCreate: {
    subject_type: { enum: ["member", "event", "collaboration", "invitation", "message"] },
    subject_id: { minimum: 1 },
    reason: { minLength: 1, maxLength: 2000 },
  },
  ReportPatch: {
    status: { enum: ["resolved"] },
  },
  ConversationCreate: {
    member_id: { minimum: 1 },
    text: { minLength: 1, maxLength: 4000 },
  },
  ConversationPatch: {
    last_read_message_id: { minimum: 1 },
  },
  MessageCreate: {
    text: { minLength: 1, maxLength: 4000 },
  },
  ThanksCreate: {
    text: { minLength: 1, maxLength: 1000 },
    event_id: { minimum: 1 },
    mentorship_id: { minimum: 1 },
    collaboration_id: { minimum: 1 },
  },
  SignupSlotCreate: {
    title: { minLength: 1, maxLength: 120 },
    places: { minimum: 1, maximum: 100 },
    note: { maxLength: 500 },
  },
  SignupSlotPatch: {
    title: { minLength: 1, maxLength: 120 },
    places: { minimum: 1, maximum: 100 },
    note: { maxLength: 500 },
  },
  SignupClaim: {
    note: { maxLength: 200 },
  },
};

export const queries = {
  "/v1/members": { q: parameters.Q, skill: parameters.Skill, interest: parameters.Interest, city: parameters.City, organization: parameters.OrganizationFilter, mentoring: parameters.Mentoring, near: parameters.Near, within_km: parameters.WithinKm, limit: parameters.Limit, cursor: parameters.Cursor },
  "/v1/unsubscribe": { token: parameters.UnsubscribeToken },
  "/v1/me/notifications": { limit: parameters.Limit, cursor: parameters.Cursor },
  "/v1/organizations": { q: parameters.Q, city: parameters.City, kind: parameters.Kind, near: parameters.Near, within_km: parameters.WithinKm, limit: parameters.Limit, cursor: parameters.Cursor },
  "/v1/organizations/{org}/members": { status: parameters.MembershipStatusFilter, limit: parameters.Limit, cursor: parameters.Cursor },
  "/v1/events": { from: parameters.EventFrom, to: parameters.EventTo, organization: parameters.EventOrganizationFilter, kind: parameters.EventKindFilter, city: parameters.City, tag: parameters.EventTag, q: parameters.Q, near: parameters.Near, within_km: parameters.WithinKm, collapse: { enum: ["series"] }, limit: parameters.Limit, cursor: parameters.Cursor },
  "/v1/events/{id}/rsvps": { status: parameters.RsvpStatusFilter, limit: parameters.Limit, cursor: parameters.Cursor },
  "/v1/me/invitations": { status: parameters.InvitationStatusFilter, limit: parameters.Limit, cursor: parameters.Cursor },
  "/v1/me/events": { when: { enum: ["upcoming", "past"] }, relation: { enum: ["going", "waitlisted", "organizing", "invited"] }, limit: parameters.Limit, cursor: parameters.Cursor },
  "/v1/mentors": { topic: parameters.MentorTopic, city: parameters.City, limit: parameters.Limit, cursor: parameters.Cursor },
  "/v1/mentors/suggestions": { limit: parameters.SuggestionLimit, near: parameters.Near, within_km: parameters.WithinKm },
  "/v1/mentorships": { role: parameters.MentorshipRole, status: parameters.MentorshipStatusFilter, limit: parameters.Limit, cursor: parameters.Cursor },
  "/v1/mentorships/{id}/check-ins": { limit: parameters.Limit, cursor: parameters.Cursor },
  "/v1/events.ics": { from: parameters.FeedFrom, to: parameters.FeedTo, organization: parameters.EventOrganizationFilter, kind: parameters.EventKindFilter, city: parameters.City, tag: parameters.EventTag, q: parameters.Q },
  "/v1/events.rss": { from: parameters.FeedFrom, to: parameters.FeedTo, organization: parameters.EventOrganizationFilter, kind: parameters.EventKindFilter, city: parameters.City, tag: parameters.EventTag, q: parameters.Q },
  "/v1/events.json": { from: parameters.FeedFrom, to: parameters.FeedTo, organization: parameters.EventOrganizationFilter, kind: parameters.EventKindFilter, city: parameters.City, tag: parameters.EventTag, q: parameters.Q },
  "/v1/organizations/{org}/events.ics": { from: parameters.FeedFrom, to: parameters.FeedTo, kind: parameters.EventKindFilter, city: parameters.City, tag: parameters.EventTag, q: parameters.Q },
  "/v1/organizations/{org}/events.rss": { from: parameters.FeedFrom, to: parameters.FeedTo, kind: parameters.EventKindFilter, city: parameters.City, tag: parameters.EventTag, q: parameters.Q },
  "/v1/organizations/{org}/events.json": { from: parameters.FeedFrom, to: parameters.FeedTo, kind: parameters.EventKindFilter, city: parameters.City, tag: parameters.EventTag, q: parameters.Q },
  "/v1/me/calendar.ics": { key: parameters.CalendarKey },
  "/v1/collaborations": { status: { enum: ["proposed", "seeking_partners", "active", "completed", "archived"] }, skill: { minLength: 1, maxLength: 40 }, organization: { minLength: 1, maxLength: 64 }, q: parameters.Q, limit: parameters.Limit, cursor: parameters.Cursor },
  "/v1/collaborations/{id}/participants": { status: { enum: ["pending", "approved", "declined", "left"] }, limit: parameters.Limit, cursor: parameters.Cursor },
  "/v1/collaborations/{id}/updates": { limit: parameters.Limit, cursor: parameters.Cursor },
  "/v1/activity": { limit: parameters.Limit, cursor: parameters.Cursor },
  "/v1/reports": { status: { enum: ["open", "resolved"] }, subject_type: { enum: ["member", "event", "collaboration", "invitation", "message"] }, limit: parameters.Limit, cursor: parameters.Cursor },
  "/v1/conversations": { limit: parameters.Limit, cursor: parameters.Cursor },
  "/v1/conversations/{id}": { limit: parameters.Limit, cursor: parameters.Cursor },
  "/v1/me/blocks": { limit: parameters.Limit, cursor: parameters.Cursor },
  "/v1/members/{id}/thanks": { limit: parameters.Limit, cursor: parameters.Cursor },
  "/v1/me/thanks": { role: { enum: ["received", "given"] }, limit: parameters.Limit, cursor: parameters.Cursor },
};

export const enums = {
  MentorshipStatus: ["requested", "accepted", "declined", "withdrawn", "completed", "cancelled"],
  DistanceBand: ["under_5_km", "5_to_20_km", "over_20_km"],
  Visibility: ["public", "members", "private"],
  InvitationPolicy: ["anyone", "met", "organizations", "nobody"],
  OrganizationKind: ["public_library", "academic_library", "school_library", "special_library", "association", "other"],
  OrganizationRole: ["admin", "member"],
  MembershipStatus: ["active", "pending"],
  SiteRole: ["member", "admin"],
  TokenScope: ["read", "write"],
  NotificationType: ["invitation_received", "rsvp_promoted", "event_cancelled", "event_changed", "membership_requested", "membership_approved", "mentorship_requested", "mentorship_accepted", "mentorship_declined", "mentorship_cancelled", "mentorship_completed", "participation_requested", "participation_approved", "participation_declined", "message_received", "thanks_received"],
  EventKind: ["social", "meetup", "training", "tour", "advocacy", "celebration", "conference"],
  EventStatus: ["scheduled", "cancelled"],
  RsvpResponse: ["going", "maybe", "not_going"],
  RsvpStatus: ["going", "waitlisted", "maybe", "not_going"],
  InvitationStatus: ["pending", "accepted", "declined", "reported_spam"],
  MyEventRelation: ["going", "waitlisted", "organizing", "invited"],
  CollaborationStatus: ["proposed", "seeking_partners", "active", "completed", "archived"],
  ParticipantStatus: ["pending", "approved", "declined", "left"],
  ParticipantRole: ["owner", "participant"],
  ReportStatus: ["open", "resolved"],
  ReportSubjectType: ["member", "event", "collaboration", "invitation", "message"],
  MilestoneKind: ["first_event_hosted", "events_attended", "mentorship_completed", "collaboration_completed", "years_in_community"],
};
