// My invitations: who invited me to what and why; accept (an RSVP "going", or a place on
// the waitlist), decline, or report as spam.
import { get, patch } from "../lib/api.js";
import { h, link } from "../lib/dom.js";
import { eventWhen } from "../lib/time.js";
import { announce, confirmDialog, loadMore, pageHeading, showError } from "../lib/ui.js";

const STATUS = { pending: "Waiting for your answer", accepted: "Accepted", declined: "Declined", reported_spam: "Reported as spam" };

function rsvpOutcome(r) {
  if (!r) return null;
  if (r.status === "going") return "You are going.";
  if (r.status === "waitlisted") return `The event is full: you are number ${r.waitlist_position} on the waitlist.`;
  if (r.status === "maybe") return "Your RSVP says maybe.";
  if (r.status === "not_going") return "Your RSVP says not going.";
  return null;
}

function invitationItem(inv) {
  const li = h("li", { class: `card invitation status-${inv.status}`, dataset: { id: inv.id } });
  draw(inv, null);
  function draw(x, outcome) {
    const ev = x.event;
    const actions = h("div", { class: "actions" });
    if (x.status === "pending" && ev.status !== "cancelled" && new Date(ev.ends_at) > new Date()) {
      actions.append(
        button("Accept", "", `Accept the invitation to ${ev.title}`, () => answer("accepted")),
        button("Decline", "secondary", `Decline the invitation to ${ev.title}`, () => answer("declined")),
      );
    }
    if (x.status !== "reported_spam") {
      actions.append(button("Report spam", "secondary", `Report spam: the invitation to ${ev.title}`, reportSpam));
    }
    li.className = `card invitation status-${x.status}`;
    li.replaceChildren(
      h("p", { class: "card-title" }, link(`/events/${ev.id}`, ev.title), ev.status === "cancelled" ? h("span", { class: "pill pill-bad" }, "Cancelled") : null),
      h("p", { class: "muted small" }, eventWhen(ev), ev.city ? ` · ${ev.city}` : null),
      h("p", {}, "From ", link(`/members/${x.sender.id}`, x.sender.display_name), `: ${x.reason}.`),
      h("p", { class: "invitation-status" }, h("strong", {}, STATUS[x.status] || x.status), outcome ? ` ${outcome}` : null),
      actions,
    );
  }
  function button(label, cls, aria, fn) {
    const b = h("button", { type: "button", class: `button small ${cls}`, "aria-label": aria }, label);
    b.addEventListener("click", async () => {
      b.disabled = true;
      try {
        await fn();
      } catch (err) {
        b.disabled = false;
        showError(err);
      }
    });
    return b;
  }
  let current = inv;
  async function answer(status) {
    const res = await patch(`/v1/me/invitations/${current.id}`, { status });
    current = res;
    const outcome = status === "accepted" ? rsvpOutcome(res.rsvp) : null;
    draw(res, outcome);
    announce(status === "accepted" ? `You accepted the invitation to ${res.event.title}. ${outcome || ""}`.trim() : `You declined the invitation to ${res.event.title}.`);
    li.querySelector(".invitation-status").setAttribute("tabindex", "-1");
    li.querySelector(".invitation-status").focus();
  }
  async function reportSpam() {
    const ok = await confirmDialog(
      `${current.sender.display_name} will not be told. Reports from several members stop a sender from inviting until a site admin reviews them.`,
      { title: "Report this invitation as spam?", confirmLabel: "Report spam", danger: true },
    );
    if (!ok) return;
    // The API files the report site admins see in their queue.
    const res = await patch(`/v1/me/invitations/${current.id}`, { status: "reported_spam" });
    current = res;
    draw(res, null);
    announce(`The invitation to ${res.event.title} was reported as spam.`);
    li.querySelector(".invitation-status").setAttribute("tabindex", "-1");
    li.querySelector(".invitation-status").focus();
  }
  return li;
}

export async function invitationsView({ query }) {
  const status = query.get("status") || "";
  const list = h("ul", { class: "cards", id: "invitation-list" });
  const pager = loadMore({
    list,
    noun: "invitations",
    emptyText: status ? "No invitations with this status." : "You have no invitations.",
    fetchPage: (cursor) => get("/v1/me/invitations", { query: { status, limit: 20, cursor } }),
    renderItem: invitationItem,
  });
  await pager.start();
  const tabs = [["", "All"], ["pending", "Waiting"], ["accepted", "Accepted"], ["declined", "Declined"]];
  return h(
    "section",
    { class: "page" },
    pageHeading("My invitations"),
    h("p", { class: "muted" }, "Invitations to events from other members, each with the reason you received it. Change who may invite you in ", link("/me/privacy", "your privacy settings"), "."),
    h("nav", { class: "subnav", "aria-label": "Invitation status" }, h("ul", {}, tabs.map(([s, label]) => h("li", {}, link(s ? `/invitations?status=${s}` : "/invitations", label, { "aria-current": s === status ? "page" : null }))))),
    list,
    pager.element,
  );
}
