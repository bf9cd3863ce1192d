// What the account pages share: their tabs (Profile, Privacy, Email, Thanks, Security, Your data) and
// loading the signed-in member afresh.
import { get } from "../../lib/api.js";
import { h, link } from "../../lib/dom.js";
import { current } from "../../lib/router.js";
import { setCurrentMember } from "../../lib/state.js";

const TABS = [
  ["/me", "Profile"],
  ["/me/privacy", "Privacy"],
  ["/me/email", "Email"],
  ["/me/thanks", "Thanks"],
  ["/me/security", "Security"],
  ["/me/data", "Your data"],
];

/** The account pages' tabs, the current page's marked. */
export function tabs() {
  const { path } = current();
  return h(
    "nav",
    { class: "subnav", "aria-label": "My account" },
    h("ul", {}, TABS.map(([p, label]) => h("li", {}, link(p, label, { "aria-current": p === path ? "page" : null })))),
  );
}

/** The signed-in member from GET /v1/me, kept as the app's current member too. */
export async function loadMe() {
  const me = await get("/v1/me");
  setCurrentMember(me);
  return me;
}
