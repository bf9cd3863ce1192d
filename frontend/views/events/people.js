// People one met at an event: once it has ended, each person who was there (going, or
// recorded as attended) offers to write to them or to thank them for the event.
import { h, link } from "../../lib/dom.js";
import { currentMember } from "../../lib/state.js";

/** "Message · Say thanks" for `member` at event `ev`, or null (not ended, or oneself). */
export function personActions(member, ev) {
  const me = currentMember();
  const ended = new Date(ev.ends_at).getTime() <= Date.now() && ev.status !== "cancelled";
  if (!ended || !me || me.id === member.id) return null;
  return [
    " ",
    h(
      "span",
      { class: "person-actions small" },
      link(`/conversations/new?to=${member.id}`, "Message", { "aria-label": `Write to ${member.display_name}` }),
      " · ",
      link(`/members/${member.id}/thanks?event=${ev.id}`, "Say thanks", { "aria-label": `Thank ${member.display_name} for ${ev.title}` }),
    ),
  ];
}

/** One person of the list of those going, with the actions after the event. */
export function personItem(member, ev) {
  return h("li", {}, link(`/members/${member.id}`, member.display_name), personActions(member, ev));
}
