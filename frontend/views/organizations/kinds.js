// The labels of the kinds of organization (the kinds themselves come from the contract:
// limits.js), and an organization's facts in one line.

export const ORG_KINDS = {
  public_library: "Public library",
  academic_library: "Academic library",
  school_library: "School library",
  special_library: "Special library",
  association: "Association",
  other: "Other",
};

/** "Public library · Springfield · 12 members" */
export function orgFacts(o) {
  return `${ORG_KINDS[o.kind] || o.kind} · ${o.city} · ${o.member_count} member${o.member_count === 1 ? "" : "s"}`;
}
