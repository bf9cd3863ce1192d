// A collaboration's page: what it is and its cost shares with the totals per currency;
// for owners, moving the status along the allowed transitions and approving or declining
// who asks to join; joining as oneself or for an organization one admins; each
// participant's cost share; and progress updates.
import { ApiError, get, patch, post } from "../../lib/api.js";
import { h, link, replace, parseList, tagList, time } from "../../lib/dom.js";
import { field, formAlert, onSubmit, submit, value } from "../../lib/forms.js";
import { bodies } from "../../lib/limits.js";
import { adminOrganizationOptions } from "../../lib/organizations.js";
import { currentMember, isSignedIn, isSiteAdmin } from "../../lib/state.js";
import { announce, confirmDialog, pageHeading, showError } from "../../lib/ui.js";
import { CO_STATUS } from "./status.js";

// Joining: the message, skills offered and cost share (a participant's cost share is
// later patched with the same limits).
const SHARE = bodies.ParticipantCreate;

const MOVE_LABEL = {
  seeking_partners: "Start seeking partners",
  active: "Mark as active",
  completed: "Mark as completed",
  archived: "Archive",
};

const PART_STATUS = { pending: "Pending", approved: "Approved", declined: "Declined", left: "Left" };

function money(amount, currency) {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).format(Number(amount));
  } catch {
    return `${amount} ${currency}`;
  }
}

function costShareFields(prefix, share) {
  return h(
    "fieldset",
    { class: "group", dataset: { field: "cost_share" } },
    h("legend", {}, "Cost share (optional)"),
    h(
      "div",
      { class: "field-row" },
      field("cost_share.amount", "Amount", { value: share?.amount || "", inputmode: "decimal", maxlength: SHARE["cost_share.amount"].maxLength, hint: "For example 500.00", id: `${prefix}-amount` }),
      field("cost_share.currency", "Currency", { value: share?.currency || "", maxlength: SHARE["cost_share.currency"].maxLength, hint: "ISO code, like USD or EUR", id: `${prefix}-currency` }),
    ),
    field("cost_share.note", "Note", { value: share?.note || "", maxlength: SHARE["cost_share.note"].maxLength, id: `${prefix}-note` }),
  );
}

function readCostShare(form) {
  const amount = value(form, "cost_share.amount");
  const currency = value(form, "cost_share.currency").toUpperCase();
  const note = value(form, "cost_share.note");
  if (!amount && !currency && !note) return undefined;
  return { amount, currency, note: note || null };
}

export async function collabView({ params }) {
  if (!/^[1-9][0-9]{0,17}$/.test(params.id)) throw new ApiError(404, { detail: "No such collaboration." });
  const id = params.id;
  let c = await get(`/v1/collaborations/${id}`);
  const heading = pageHeading(c.title);
  const body = h("div", {});

  async function refresh(message, focusId) {
    c = await get(`/v1/collaborations/${id}`);
    heading.querySelector("h1").textContent = c.title;
    await draw();
    if (message) announce(message);
    if (focusId) document.getElementById(focusId)?.focus();
  }

  const isOwner = () => isSiteAdmin() || (c.my_participation?.role === "owner" && c.my_participation.status === "approved");
  const isParticipant = () => c.my_participation?.status === "approved" || isSiteAdmin();

  async function draw() {
    const parts = [
      c.hidden ? h("p", { class: "notice notice-warn" }, "This collaboration is hidden by a site admin: only its participants see it.") : null,
      about(),
      isOwner() ? statusPanel() : null,
      await participantsPanel(),
      joinPanel(),
      await updatesPanel(),
    ];
    replace(body, parts);
  }

  function about() {
    return h(
      "section",
      { class: "panel", "aria-labelledby": "co-about" },
      h("h2", { id: "co-about" }, "About"),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "Status"), h("dd", { id: "collab-status" }, CO_STATUS[c.status] || c.status),
        c.organization ? [h("dt", {}, "Hosted by"), h("dd", {}, link(`/organizations/${c.organization.slug}`, c.organization.name))] : null,
        c.owners?.length ? [h("dt", {}, "Owners"), h("dd", {}, c.owners.map((o, i) => [i ? ", " : "", link(`/members/${o.id}`, o.display_name)]))] : null,
        c.partner_organizations?.length ? [h("dt", {}, "Partner organizations"), h("dd", {}, c.partner_organizations.map((o, i) => [i ? ", " : "", link(`/organizations/${o.slug}`, o.name)]))] : null,
        h("dt", {}, "Participants"), h("dd", { id: "participant-count" }, String(c.participant_count)),
        h("dt", {}, "Started"), h("dd", {}, time(c.created_at, { withTime: false })),
        c.completed_at ? [h("dt", {}, "Completed"), h("dd", {}, time(c.completed_at, { withTime: false }))] : null,
      ),
      h("p", { class: "bio" }, c.summary),
      c.skills_wanted?.length ? [h("h3", {}, "Skills wanted"), tagList(c.skills_wanted, "Skills wanted")] : null,
      h("h3", {}, "Cost shares"),
      c.cost_totals?.length
        ? h("ul", { id: "cost-totals", class: "totals" }, c.cost_totals.map((t) => h("li", {}, h("strong", {}, money(t.amount, t.currency)), ` in ${t.currency}`)))
        : h("p", { class: "muted", id: "cost-totals" }, "No cost shares yet."),
      isOwner() && c.status !== "archived" ? h("p", {}, link(`/collaborations/${c.id}/edit`, "Edit collaboration", { class: "button secondary small" })) : null,
    );
  }

  function statusPanel() {
    const moves = c.allowed_transitions || [];
    const section = h("section", { class: "panel", "aria-labelledby": "co-status-h" }, h("h2", { id: "co-status-h" }, "Status"));
    if (!moves.length) {
      section.append(h("p", { class: "muted" }, "This collaboration is archived: its status cannot change."));
      return section;
    }
    section.append(h("p", { class: "muted small" }, `Now ${CO_STATUS[c.status] || c.status}. Owners move it forward, or archive it.`));
    const actions = h("div", { class: "actions" });
    for (const s of moves) {
      const b = h("button", { type: "button", class: `button ${s === "archived" ? "secondary" : ""}`, dataset: { status: s } }, MOVE_LABEL[s] || s);
      b.addEventListener("click", async () => {
        if (s === "archived") {
          const ok = await confirmDialog("An archived collaboration cannot be edited or moved again.", { title: "Archive this collaboration?", confirmLabel: "Archive" });
          if (!ok) return;
        }
        b.disabled = true;
        try {
          await patch(`/v1/collaborations/${c.id}`, { status: s });
          await refresh(`Status: ${CO_STATUS[s]}.`, "collab-status");
        } catch (err) {
          b.disabled = false;
          showError(err);
        }
      });
      actions.append(b);
    }
    section.append(actions);
    document.getElementById("collab-status")?.setAttribute("tabindex", "-1");
    return section;
  }

  async function participantsPanel() {
    const section = h("section", { class: "panel", "aria-labelledby": "co-part-h" }, h("h2", { id: "co-part-h" }, "Participants"));
    let page;
    try {
      page = await get(`/v1/collaborations/${c.id}/participants`, { query: { limit: 100 } });
    } catch {
      section.append(h("p", { class: "muted" }, "Participants could not be loaded."));
      return section;
    }
    const me = currentMember();
    const rows = page.data.map((p) => participantRow(p, me));
    section.append(rows.length ? h("ul", { class: "cards", id: "participant-list" }, rows) : h("p", { class: "muted" }, "Nobody yet."));
    return section;
  }

  function participantRow(p, me) {
    const who = p.member ? link(`/members/${p.member.id}`, p.member.display_name) : h("span", {}, "A member");
    const name = p.member?.display_name || "this participant";
    const mine = me && p.member?.id === me.id;
    const li = h(
      "li",
      { class: `card row-card participant status-${p.status}`, dataset: { pid: p.id } },
      h(
        "div",
        {},
        h("p", { class: "card-title" }, who, p.organization ? h("span", { class: "muted small" }, ` for ${p.organization.name}`) : null, p.role === "owner" ? h("span", { class: "pill" }, "Owner") : null, p.status !== "approved" ? h("span", { class: "pill" }, PART_STATUS[p.status] || p.status) : null),
        p.message ? h("p", { class: "small" }, p.message) : null,
        tagList(p.skills_offered, `Skills offered by ${name}`),
        p.cost_share ? h("p", { class: "small" }, `Cost share: ${money(p.cost_share.amount, p.cost_share.currency)}${p.cost_share.note ? ` (${p.cost_share.note})` : ""}`) : null,
      ),
    );
    const actions = h("div", { class: "actions" });
    const act = (label, cls, aria, body, message) => {
      const b = h("button", { type: "button", class: `button small ${cls}`, "aria-label": aria }, label);
      b.addEventListener("click", async () => {
        if (body.status === "left") {
          const ok = await confirmDialog("You will no longer take part in this collaboration.", { title: "Leave this collaboration?", confirmLabel: "Leave" });
          if (!ok) return;
        }
        b.disabled = true;
        try {
          await patch(`/v1/collaborations/${c.id}/participants/${p.id}`, body);
          await refresh(message, "co-part-h");
        } catch (err) {
          b.disabled = false;
          showError(err);
        }
      });
      return b;
    };
    if (isOwner() && p.status === "pending") {
      actions.append(
        act("Approve", "", `Approve ${name}`, { status: "approved" }, `${name} is now a participant.`),
        act("Decline", "secondary", `Decline ${name}`, { status: "declined" }, `The request from ${name} was declined.`),
      );
    }
    if (isOwner() && p.status === "approved" && !mine) {
      actions.append(
        p.role === "owner"
          ? act("Make participant", "secondary", `Make participant: ${name} (no longer an owner)`, { role: "participant" }, `${name} is no longer an owner.`)
          : act("Make owner", "secondary", `Make owner: ${name}`, { role: "owner" }, `${name} is now an owner.`),
      );
    }
    if (mine && (p.status === "pending" || p.status === "approved")) {
      actions.append(act(p.status === "pending" ? "Withdraw request" : "Leave", "secondary", p.status === "pending" ? "Withdraw request" : "Leave this collaboration", { status: "left" }, p.status === "pending" ? "Your request was withdrawn." : "You left the collaboration."));
    }
    if ((mine || isOwner()) && p.status === "approved") {
      const form = h(
        "form",
        { class: "form cost-form", novalidate: true, "aria-label": `Cost share of ${name}` },
        formAlert(),
        costShareFields(`cs-${p.id}`, p.cost_share),
        h("div", { class: "actions" }, submit(p.cost_share ? "Update cost share" : "Add cost share", { cls: "button small secondary" })),
      );
      onSubmit(form, async () => {
        const share = readCostShare(form);
        await patch(`/v1/collaborations/${c.id}/participants/${p.id}`, { cost_share: share === undefined ? null : share });
        await refresh(share ? "The cost share was saved." : "The cost share was removed.", "cost-totals");
      });
      const details = h("details", { class: "cost-details" }, h("summary", {}, mine ? "My cost share" : `Cost share of ${name}`), form);
      li.append(details);
    }
    if (actions.childNodes.length) li.append(actions);
    return li;
  }

  function joinPanel() {
    if (!isSignedIn()) {
      return h("section", { class: "panel", "aria-labelledby": "co-join" }, h("h2", { id: "co-join" }, "Join"), h("p", {}, link(`/login?next=${encodeURIComponent(`/collaborations/${c.id}`)}`, "Log in"), " to ask to join."));
    }
    if (["completed", "archived"].includes(c.status)) return null;
    const mine = c.my_participation;
    // Owners, participants and those already asking see where they stand, not a form.
    const state = !mine
      ? null
      : mine.status === "pending"
        ? "Your request to join is waiting for an owner to approve it."
        : mine.status === "approved"
          ? mine.role === "owner"
            ? "You are an owner of this collaboration."
            : "You take part in this collaboration."
          : null;
    if (state) {
      return h("section", { class: "panel", "aria-labelledby": "co-join" }, h("h2", { id: "co-join" }, "Your part"), h("p", { id: "join-state" }, state));
    }
    const form = h(
      "form",
      { class: "form", id: "join-form", novalidate: true },
      formAlert(),
      field("message", "Message to the owners", { rows: 3, required: true, maxlength: SHARE.message.maxLength }),
      field("skills_offered", "Skills you offer", { hint: `Separate with commas, up to ${SHARE.skills_offered.maxItems}.` }),
      orgsForJoin.length ? field("organization", "Join as", { options: [["", "Myself"], ...orgsForJoin.map(([s, n]) => [s, `For ${n}`])], hint: "Or for an organization you are an admin of." }) : null,
      costShareFields("join", null),
      h("div", { class: "actions" }, submit("Ask to join")),
    );
    onSubmit(form, async () => {
      const body = { message: form.elements.message.value.trim(), skills_offered: parseList(value(form, "skills_offered")) };
      const org = form.elements.namedItem("organization") ? value(form, "organization") : "";
      if (org) body.organization = org;
      const share = readCostShare(form);
      if (share) body.cost_share = share;
      await post(`/v1/collaborations/${c.id}/participants`, body);
      await refresh("Your request was sent to the owners.", "co-part-h");
    });
    return h(
      "section",
      { class: "panel", "aria-labelledby": "co-join" },
      h("h2", { id: "co-join" }, "Join"),
      mine?.status === "declined" ? h("p", { class: "muted" }, "Your earlier request was declined; you may ask again.") : null,
      form,
    );
  }

  async function updatesPanel() {
    const section = h("section", { class: "panel", "aria-labelledby": "co-upd-h" }, h("h2", { id: "co-upd-h", tabindex: "-1" }, "Updates"));
    let page;
    try {
      page = await get(`/v1/collaborations/${c.id}/updates`, { query: { limit: 50 } });
    } catch {
      section.append(h("p", { class: "muted" }, "Updates could not be loaded."));
      return section;
    }
    if (isParticipant() && c.status !== "archived") {
      const form = h(
        "form",
        { class: "form", id: "update-form", novalidate: true },
        formAlert(),
        field("body", "Post an update", { rows: 3, required: true, maxlength: bodies.CollaborationUpdateCreate.body.maxLength }),
        h("div", { class: "actions" }, submit("Post update")),
      );
      onSubmit(form, async () => {
        await post(`/v1/collaborations/${c.id}/updates`, { body: form.elements.body.value.trim() });
        await refresh("Your update was posted.", "co-upd-h");
      });
      section.append(form);
    }
    section.append(
      page.data.length
        ? h("ul", { class: "cards", id: "update-list" }, page.data.map((u) => h("li", { class: "card" }, h("p", { class: "muted small" }, u.author?.display_name || "A member", " · ", time(u.created_at)), h("p", { class: "bio" }, u.body))))
        : h("p", { class: "muted" }, "No updates yet."),
    );
    return section;
  }

  const orgsForJoin = await adminOrganizationOptions();
  await draw();
  return h("section", { class: "page" }, heading, body);
}
