// Site admins: reports to resolve (optionally hiding the event or collaboration), with a
// link to the reported member's profile, where suspending lives.
import { get, patch } from "../lib/api.js";
import { h, link, time } from "../lib/dom.js";
import { isSiteAdmin } from "../lib/state.js";
import { announce, confirmDialog, loadMore, pageHeading, showError } from "../lib/ui.js";

const TYPE = { member: "Member", event: "Event", collaboration: "Collaboration", invitation: "Invitation", message: "Message" };

function subjectLink(s) {
  const label = `${TYPE[s.type] || s.type} #${s.id}`;
  if (s.type === "member") return link(`/members/${s.id}`, `${label} (profile: suspend there)`);
  if (s.type === "event") return link(`/events/${s.id}`, label);
  if (s.type === "collaboration") return link(`/collaborations/${s.id}`, label);
  return h("span", {}, label);
}

/** The copy of a reported message: all a site admin reads of the conversation. */
function reportedMessage(m) {
  if (!m) return null;
  return h(
    "div",
    { class: "reported-message" },
    h("blockquote", {}, h("p", {}, m.text)),
    h("p", { class: "muted small" }, "Sent by ", m.sender ? link(`/members/${m.sender.id}`, `${m.sender.display_name} (profile: suspend there)`) : "a former member", " · ", time(m.sent_at)),
  );
}

function reportItem(r) {
  const li = h("li", { class: `card report status-${r.status}`, dataset: { id: r.id } });
  function draw(x) {
    const actions = h("div", { class: "actions" });
    if (x.status === "open") {
      const resolve = (hide) => {
        const b = h("button", { type: "button", class: `button small ${hide ? "danger" : ""}`, "aria-label": `${hide ? "Hide and resolve" : "Resolve"} report ${x.id}` }, hide ? "Hide and resolve" : "Resolve");
        b.addEventListener("click", async () => {
          if (hide) {
            const ok = await confirmDialog("It disappears from lists, feeds and the activity for everyone but its organizers or participants.", { title: `Hide this ${x.subject.type}?`, confirmLabel: "Hide and resolve", danger: true });
            if (!ok) return;
          }
          b.disabled = true;
          try {
            const res = await patch(`/v1/reports/${x.id}`, { status: "resolved", hide_subject: hide });
            draw(res);
            announce(`Report ${x.id} was resolved${hide ? ` and the ${x.subject.type} hidden` : ""}.`);
            li.querySelector(".report-status")?.focus();
          } catch (err) {
            b.disabled = false;
            showError(err);
          }
        });
        return b;
      };
      actions.append(resolve(false));
      if (x.subject.type === "event" || x.subject.type === "collaboration") actions.append(resolve(true));
    }
    li.className = `card report status-${x.status}`;
    li.replaceChildren(
      h("p", { class: "card-title" }, subjectLink(x.subject)),
      reportedMessage(x.message),
      h("p", {}, x.reason),
      h("p", { class: "muted small" }, "Reported by ", x.reporter ? link(`/members/${x.reporter.id}`, x.reporter.display_name) : "a former member", " · ", time(x.created_at)),
      h(
        "p",
        { class: "report-status", tabindex: "-1" },
        h("strong", {}, x.status === "open" ? "Open" : "Resolved"),
        x.status === "resolved" ? [x.subject_hidden ? " · subject hidden" : "", x.resolved_by ? ` by ${x.resolved_by.display_name}` : ""] : null,
      ),
      actions,
    );
  }
  draw(r);
  return li;
}

export async function reportsView({ query }) {
  if (!isSiteAdmin()) {
    return h("section", { class: "page" }, pageHeading("Reports"), h("p", {}, "Only site admins can review reports."));
  }
  const status = query.get("status") === "resolved" ? "resolved" : "open";
  const list = h("ul", { class: "cards", id: "report-list" });
  const pager = loadMore({
    list,
    noun: "reports",
    emptyText: status === "open" ? "No open reports." : "No resolved reports.",
    fetchPage: (cursor) => get("/v1/reports", { query: { status, limit: 20, cursor } }),
    renderItem: reportItem,
  });
  await pager.start();
  return h(
    "section",
    { class: "page" },
    pageHeading("Reports"),
    h("p", { class: "muted" }, "Reports from members about members, events, collaborations, invitations and messages (a copy of the reported message, nothing else of the conversation). Resolving an invitation report also lifts its spam report; a member whose messages three members reported cannot start conversations while those reports are open. Suspend members from their profile page."),
    h(
      "nav",
      { class: "subnav", "aria-label": "Report status" },
      h("ul", {}, [["open", "Open"], ["resolved", "Resolved"]].map(([s, label]) => h("li", {}, link(`/admin/reports?status=${s}`, label, { "aria-current": s === status ? "page" : null })))),
    ),
    list,
    pager.element,
  );
}
