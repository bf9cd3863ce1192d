// Thanks and milestones (#/me/thanks): the thank-you notes I received, each private until
// I show it on my profile, and whether my profile shows my milestones.
import { get, patch } from "../../lib/api.js";
import { h } from "../../lib/dom.js";
import { field, formAlert, onSubmit, submit, value } from "../../lib/forms.js";
import { announce, loadMore, pageHeading, showError } from "../../lib/ui.js";
import { milestoneList, thanksBody } from "../thanks/common.js";
import { tabs } from "./account.js";

function stateText(t) {
  if (!t.sharing.to) return "Private: only you and the sender see it.";
  return t.sharing.public ? "Shown on your profile and in the community activity." : "Shown on your profile.";
}

function thanksItem(t) {
  const li = h("li", { class: "card thanks", dataset: { id: t.id } });
  function draw(x) {
    const state = h("p", { class: "thanks-state small", tabindex: "-1" }, h("strong", {}, stateText(x)));
    const toggle = h("button", { type: "button", class: `button small${x.sharing.to ? " secondary" : ""}` }, x.sharing.to ? "Hide from my profile" : "Show on my profile");
    toggle.setAttribute("aria-label", `${x.sharing.to ? "Hide from my profile" : "Show on my profile"}: the thanks from ${x.from?.display_name || "a member"}`);
    toggle.addEventListener("click", async () => {
      toggle.disabled = true;
      try {
        const updated = await patch(`/v1/thanks/${x.id}`, { share_publicly: !x.sharing.to });
        draw(updated);
        announce(updated.sharing.to ? "The thank-you note is shown on your profile." : "The thank-you note is private again.");
        li.querySelector(".thanks-state")?.focus();
      } catch (err) {
        toggle.disabled = false;
        showError(err);
      }
    });
    li.replaceChildren(...thanksBody(x), state, h("div", { class: "actions" }, toggle));
  }
  draw(t);
  return li;
}

async function milestonesPanel() {
  const mine = await get("/v1/me/milestones");
  const form = h(
    "form",
    { class: "form", id: "milestones-form", novalidate: true },
    formAlert(),
    field("show_on_profile", "Show my milestones on my profile", {
      type: "checkbox",
      value: mine.show_on_profile,
      hint: "Only your own milestones, never compared with anyone. Off unless you turn it on.",
    }),
    h("div", { class: "actions" }, submit("Save")),
  );
  onSubmit(form, async () => {
    const updated = await patch("/v1/me/milestones", { show_on_profile: value(form, "show_on_profile") });
    announce(updated.show_on_profile ? "Your profile shows your milestones." : "Your profile does not show your milestones.");
  });
  return h(
    "section",
    { class: "panel", "aria-labelledby": "my-milestones-h" },
    h("h2", { id: "my-milestones-h" }, "Milestones"),
    mine.milestones.length
      ? milestoneList(mine.milestones, "my-milestones")
      : h("p", { class: "muted" }, "Milestones appear here as they happen: your first event hosted, ten events attended, a mentorship or a collaboration completed, your years in the community."),
    form,
  );
}

export async function myThanksView() {
  const list = h("ul", { class: "cards", id: "received-thanks" });
  const pager = loadMore({
    list,
    noun: "thank-you notes",
    emptyText: "No thank-you notes yet.",
    fetchPage: (cursor) => get("/v1/me/thanks", { query: { limit: 20, cursor } }),
    renderItem: thanksItem,
  });
  const [milestones] = await Promise.all([milestonesPanel(), pager.start()]);
  return h(
    "section",
    { class: "page" },
    pageHeading("Thanks and milestones"),
    tabs(),
    h(
      "section",
      { class: "panel", "aria-labelledby": "received-h" },
      h("h2", { id: "received-h" }, "Thank-you notes you received"),
      h("p", { class: "muted small" }, "Each note is private until you show it on your profile. When its sender agreed too, a shown note also appears in the community activity."),
      list,
      pager.element,
    ),
    milestones,
  );
}
