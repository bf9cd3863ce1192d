// The labels of a collaboration's status (the list's filter and cards, and its page); the
// statuses themselves come from the contract (limits.js).
export const CO_STATUS = {
  proposed: "Proposed",
  seeking_partners: "Seeking partners",
  active: "Active",
  completed: "Completed",
  archived: "Archived",
};
