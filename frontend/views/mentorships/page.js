// A mentorship's page: who, the message and goals; only the moves the API allows me
// (allowed_statuses); check-ins while it is accepted; and, once completed, whether I
// agree to share it in the community activity.
import { ApiError, get, patch, post } from "../../lib/api.js";
import { h, link, replace, tagList, time } from "../../lib/dom.js";
import { field, formAlert, onSubmit, showFormError, submit, value } from "../../lib/forms.js";
import { bodies } from "../../lib/limits.js";
import { announce, confirmDialog, pageHeading, showError } from "../../lib/ui.js";
import { STATUS, tabs } from "./common.js";

const MOVES = {
  accepted: ["Accept", "", "You accepted the request."],
  declined: ["Decline", "secondary", "You declined the request."],
  withdrawn: ["Withdraw request", "secondary", "You withdrew your request."],
  completed: ["Mark as completed", "", "The mentorship is completed."],
  cancelled: ["Cancel mentorship", "danger", "The mentorship was cancelled."],
};

export async function mentorshipView({ params }) {
  if (!/^[1-9][0-9]{0,17}$/.test(params.id)) throw new ApiError(404, { detail: "No such mentorship." });
  let x = await get(`/v1/mentorships/${params.id}`);
  const body = h("div", {});
  const heading = pageHeading(`Mentorship: ${x.topic}`);

  async function refresh(message, focusId) {
    x = await get(`/v1/mentorships/${params.id}`);
    await draw();
    if (message) announce(message);
    if (focusId) document.getElementById(focusId)?.focus();
  }

  async function draw() {
    const facts = h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Mentor"), h("dd", {}, link(`/members/${x.mentor.id}`, x.mentor.display_name)),
      h("dt", {}, "Mentee"), h("dd", {}, link(`/members/${x.mentee.id}`, x.mentee.display_name)),
      h("dt", {}, "Status"), h("dd", { id: "mentorship-status" }, STATUS[x.status] || x.status, x.status_reason ? ` (${x.status_reason})` : null),
      h("dt", {}, "Requested"), h("dd", {}, time(x.created_at)),
    );
    const parts = [
      h("section", { class: "panel", "aria-labelledby": "ms-about" }, h("h2", { id: "ms-about" }, "About"), facts, h("h3", {}, "Message"), h("p", { class: "bio" }, x.message),
        x.goals?.length ? [h("h3", {}, "Goals"), h("ul", { id: "goals" }, x.goals.map((g) => h("li", {}, g)))] : null),
      actionsPanel(),
      await checkIns(),
      x.status === "completed" ? sharing() : null,
    ];
    replace(body, parts);
  }

  function actionsPanel() {
    const allowed = x.allowed_statuses || [];
    if (!allowed.length) {
      return h("section", { class: "panel", "aria-labelledby": "ms-act" }, h("h2", { id: "ms-act" }, "What next"), h("p", { class: "muted", id: "no-moves" }, x.status === "requested" ? `Waiting for ${x.mentor.display_name} to answer.` : "This mentorship is closed: nothing more can change."));
    }
    const form = h("form", { class: "form", id: "mentorship-actions", novalidate: true }, formAlert());
    const needsReason = allowed.some((s) => s === "declined" || s === "cancelled");
    if (needsReason) form.append(field("reason", "Reason (optional)", { rows: 2, maxlength: bodies.MentorshipPatch.reason.maxLength, hint: "Shown to the other person when you decline or cancel." }));
    const buttons = h("div", { class: "actions" });
    for (const s of allowed) {
      const [label, cls, done] = MOVES[s] || [s, "secondary", `Status: ${s}.`];
      const b = h("button", { type: "button", class: `button ${cls}`, dataset: { status: s } }, label);
      b.addEventListener("click", async () => {
        if (s === "cancelled" || s === "declined") {
          const ok = await confirmDialog(s === "cancelled" ? "The mentorship ends for both of you." : "The request is declined.", { title: `${label}?`, confirmLabel: label, danger: s === "cancelled" });
          if (!ok) return;
        }
        b.disabled = true;
        try {
          const reason = form.elements.namedItem("reason")?.value.trim();
          const patchBody = { status: s };
          if (reason && (s === "declined" || s === "cancelled")) patchBody.reason = reason;
          await patch(`/v1/mentorships/${x.id}`, patchBody);
          await refresh(done, "mentorship-status");
        } catch (err) {
          b.disabled = false;
          showFormError(form, err);
        }
      });
      buttons.append(b);
    }
    form.append(buttons);
    return h("section", { class: "panel", "aria-labelledby": "ms-act" }, h("h2", { id: "ms-act" }, "What next"), form);
  }

  async function checkIns() {
    const section = h("section", { class: "panel", "aria-labelledby": "ci-h" }, h("h2", { id: "ci-h" }, "Check-ins"));
    let page;
    try {
      page = await get(`/v1/mentorships/${x.id}/check-ins`, { query: { limit: 50 } });
    } catch {
      section.append(h("p", { class: "muted" }, "Check-ins could not be loaded."));
      return section;
    }
    section.append(
      page.data.length
        ? h(
            "ul",
            { class: "cards", id: "check-in-list" },
            page.data.map((c) =>
              h(
                "li",
                { class: "card" },
                h("p", { class: "muted small" }, h("time", { datetime: c.date }, c.date), ` · ${c.author?.display_name || ""}`),
                h("p", { class: "bio" }, c.note),
                tagList(c.goals, "Goals this check-in is about"),
              ),
            ),
          )
        : h("p", { class: "muted" }, "No check-ins yet."),
    );
    if (x.status === "accepted") {
      const today = new Date().toISOString().slice(0, 10);
      const form = h(
        "form",
        { class: "form", id: "check-in-form", novalidate: true, "aria-labelledby": "ci-new" },
        h("h3", { id: "ci-new" }, "Add a check-in"),
        formAlert(),
        field("date", "Date", { type: "date", value: today, max: today }),
        field("note", "Note", { rows: 4, required: true, maxlength: bodies.CheckInCreate.note.maxLength, hint: "What you talked about and what comes next." }),
        x.goals?.length
          ? h("fieldset", { class: "field", dataset: { field: "goals" } }, h("legend", {}, "Goals it is about"), x.goals.map((g, i) => field(`goal-${i}`, g, { type: "checkbox" })))
          : null,
        h("div", { class: "actions" }, submit("Add check-in")),
      );
      onSubmit(form, async () => {
        const goals = (x.goals || []).filter((g, i) => form.elements.namedItem(`goal-${i}`)?.checked);
        await post(`/v1/mentorships/${x.id}/check-ins`, { date: value(form, "date") || undefined, note: form.elements.note.value.trim(), goals });
        await refresh("Your check-in was added.", "ci-h");
      });
      section.append(form);
    } else {
      section.append(h("p", { class: "muted small" }, "Check-ins can be added while the mentorship is accepted."));
    }
    document.getElementById("ci-h")?.setAttribute("tabindex", "-1");
    return section;
  }

  function sharing() {
    const mine = x.role === "mentor" ? x.sharing?.mentor : x.sharing?.mentee;
    const b = h("button", { type: "button", class: "button secondary", id: "share-toggle" }, mine ? "Stop sharing in the community activity" : "Share in the community activity");
    b.addEventListener("click", async () => {
      b.disabled = true;
      try {
        await patch(`/v1/mentorships/${x.id}`, { share_publicly: !mine });
        await refresh(mine ? "You no longer share this mentorship." : "You agreed to share this mentorship.", "share-toggle");
      } catch (err) {
        b.disabled = false;
        showError(err);
      }
    });
    return h(
      "section",
      { class: "panel", "aria-labelledby": "share-h" },
      h("h2", { id: "share-h" }, "Sharing"),
      h("p", {}, x.sharing?.public ? "Both of you agreed: this completed mentorship appears in the community activity." : "A completed mentorship appears in the community activity only when both of you agree."),
      b,
    );
  }

  await draw();
  heading.querySelector("h1").textContent = `Mentorship: ${x.topic}`;
  return h("section", { class: "page" }, heading, tabs(""), body);
}
