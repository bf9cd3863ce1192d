// Mentoring: suggested mentors (with their reasons and scores), browsing mentors by topic
// and city, asking for mentoring, my mentorships as mentor and mentee with only the moves
// the API allows me (allowed_statuses), and check-ins while a mentorship is accepted.
import { ApiError, get, patch, post } from "../lib/api.js";
import { h, link, replace, tagList, time } from "../lib/dom.js";
import { dropDraft, field, formAlert, keepDraft, onSubmit, showFormError, submit, value } from "../lib/forms.js";
import { navigate } from "../lib/router.js";
import { search } from "../lib/search.js";
import { announce, confirmDialog, flashNext, loadMore, pageHeading, showError } from "../lib/ui.js";

const STATUS = {
  requested: "Requested",
  accepted: "Accepted",
  declined: "Declined",
  withdrawn: "Withdrawn",
  completed: "Completed",
  cancelled: "Cancelled",
};

const MOVES = {
  accepted: ["Accept", "", "You accepted the request."],
  declined: ["Decline", "secondary", "You declined the request."],
  withdrawn: ["Withdraw request", "secondary", "You withdrew your request."],
  completed: ["Mark as completed", "", "The mentorship is completed."],
  cancelled: ["Cancel mentorship", "danger", "The mentorship was cancelled."],
};

function tabs(path) {
  const items = [["/mentors", "Find a mentor"], ["/mentorships", "My mentorships"]];
  return h("nav", { class: "subnav", "aria-label": "Mentoring" }, h("ul", {}, items.map(([p, label]) => h("li", {}, link(p, label, { "aria-current": p === path ? "page" : null })))));
}

function mentorCard(m, { score, reasons, openSlots } = {}) {
  const name = m.display_name || `Member ${m.id}`;
  const topics = m.mentoring?.topics || [];
  return h(
    "li",
    { class: "card mentor-card", dataset: { member: m.id } },
    h("p", { class: "card-title" }, link(`/members/${m.id}`, name), score !== undefined ? h("span", { class: "pill pill-accent" }, `Score ${score}`) : null),
    m.title || m.city ? h("p", { class: "muted small" }, [m.title, m.city].filter(Boolean).join(" · ")) : null,
    tagList(topics, `Mentoring topics of ${name}`),
    reasons?.length ? h("ul", { class: "reasons", "aria-label": `Why ${name} is suggested` }, reasons.map((r) => h("li", {}, r))) : null,
    openSlots !== undefined ? h("p", { class: "small" }, openSlots > 0 ? `${openSlots} open place${openSlots === 1 ? "" : "s"} for mentees` : "No open places right now") : null,
    openSlots === 0 ? null : h("p", {}, link(`/mentorships/new?mentor=${m.id}`, "Ask for mentoring", { class: "button small", "aria-label": `Ask for mentoring: ${name}` })),
  );
}

export async function mentorsView({ query }) {
  const suggestions = h("div", { id: "suggestions" });
  try {
    const page = await get("/v1/mentors/suggestions", { query: { limit: 6 } });
    suggestions.replaceChildren(
      page.data.length
        ? h("ul", { class: "cards grid", id: "suggestion-list" }, page.data.map((s) => mentorCard(s.member, { score: s.score, reasons: s.reasons })))
        : h("p", { class: "muted" }, "No suggestions yet. Add interests to your profile, join organizations and go to events: suggestions come from what you share with mentors."),
    );
  } catch {
    suggestions.replaceChildren(h("p", { class: "muted" }, "Suggestions could not be loaded right now."));
  }
  const { form, results } = await search(query, {
    noun: "mentors",
    id: "mentor",
    path: "/mentors",
    keys: ["topic", "city"],
    fields: (f) => [field("topic", "Topic", { value: f.topic, maxlength: 40 }), field("city", "City", { value: f.city, maxlength: 80 })],
    api: "/v1/mentors",
    renderItem: (x) => mentorCard(x.member, { openSlots: x.open_slots }),
  });
  return h(
    "section",
    { class: "page" },
    pageHeading("Find a mentor"),
    tabs("/mentors"),
    h("section", { class: "panel", "aria-labelledby": "sugg-h" }, h("h2", { id: "sugg-h" }, "Suggested for you"), h("p", { class: "muted small" }, "Ranked by what you have in common: people you met at events first, then shared organizations, topics you are interested in, and your city."), suggestions),
    h("h2", {}, "Browse mentors"),
    form,
    results,
  );
}

export async function mentorshipRequestView({ query }) {
  const mentorId = query.get("mentor");
  if (!/^[1-9][0-9]{0,17}$/.test(mentorId || "")) throw new ApiError(404, { detail: "No such mentor." });
  const mentor = await get(`/v1/members/${mentorId}`);
  const name = mentor.display_name || `Member ${mentor.id}`;
  const topics = mentor.mentoring?.topics || [];
  const draftKey = `mentorship-new-${mentor.id}`;
  const form = h(
    "form",
    { class: "form", id: "mentorship-form", novalidate: true },
    formAlert(),
    topics.length
      ? field("topic", "Topic", { options: [["", "Choose…"], ...topics.map((t) => [t, t])], required: true })
      : field("topic", "Topic", { required: true, maxlength: 40 }),
    field("message", "Message", { rows: 5, required: true, maxlength: 2000, hint: `Introduce yourself and say what you hope to learn from ${name}.` }),
    field("goals", "Goals", { rows: 4, hint: "One goal per line, up to 10. You can check in on them together." }),
    h("div", { class: "actions" }, submit("Send request"), link("/mentors", "Cancel", { class: "button secondary" })),
  );
  keepDraft(form, draftKey);
  onSubmit(form, async () => {
    const goals = form.elements.goals.value.split("\n").map((g) => g.trim()).filter(Boolean);
    const created = await post("/v1/mentorships", {
      mentor_id: mentor.id,
      topic: value(form, "topic"),
      message: form.elements.message.value.trim(),
      goals,
    });
    dropDraft(draftKey);
    flashNext(`Your request was sent to ${name}.`);
    navigate(`/mentorships/${created.id}`);
  });
  return h(
    "section",
    { class: "page" },
    pageHeading(`Ask ${name} for mentoring`),
    tabs(""),
    mentor.mentoring?.available === false ? h("p", { class: "notice notice-warn" }, `${name} is not available as a mentor right now.`) : null,
    form,
  );
}

function other(x) {
  return x.role === "mentor" ? x.mentee : x.mentor;
}

function mentorshipCard(x) {
  const o = other(x);
  return h(
    "li",
    { class: `card mentorship-card status-${x.status}`, dataset: { id: x.id } },
    h(
      "p",
      { class: "card-title" },
      link(`/mentorships/${x.id}`, `${x.topic}: ${x.role === "mentor" ? "mentoring" : "mentored by"} ${o?.display_name || "a member"}`),
      h("span", { class: "pill" }, STATUS[x.status] || x.status),
    ),
    h("p", { class: "muted small" }, `You are the ${x.role}. `, "Since ", time(x.created_at, { withTime: false }), x.check_in_count ? ` · ${x.check_in_count} check-in${x.check_in_count === 1 ? "" : "s"}` : null),
  );
}

export async function mentorshipsView({ query }) {
  const role = ["mentor", "mentee"].includes(query.get("role")) ? query.get("role") : "";
  const list = h("ul", { class: "cards", id: "mentorship-list" });
  const pager = loadMore({
    list,
    noun: "mentorships",
    emptyText: "No mentorships yet.",
    fetchPage: (cursor) => get("/v1/mentorships", { query: { role, limit: 20, cursor } }),
    renderItem: mentorshipCard,
  });
  await pager.start();
  const roles = [["", "All"], ["mentee", "As mentee"], ["mentor", "As mentor"]];
  return h(
    "section",
    { class: "page" },
    pageHeading("My mentorships", link("/mentors", "Find a mentor", { class: "button" })),
    tabs("/mentorships"),
    h("nav", { class: "subnav", "aria-label": "Role" }, h("ul", {}, roles.map(([r, label]) => h("li", {}, link(r ? `/mentorships?role=${r}` : "/mentorships", label, { "aria-current": r === role ? "page" : null }))))),
    list,
    pager.element,
  );
}

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
    const o = other(x);
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
    void o;
  }

  function actionsPanel() {
    const allowed = x.allowed_statuses || [];
    if (!allowed.length) {
      return h("section", { class: "panel", "aria-labelledby": "ms-act" }, h("h2", { id: "ms-act" }, "What next"), h("p", { class: "muted", id: "no-moves" }, x.status === "requested" ? `Waiting for ${x.mentor.display_name} to answer.` : "This mentorship is closed: nothing more can change."));
    }
    const form = h("form", { class: "form", id: "mentorship-actions", novalidate: true }, formAlert());
    const needsReason = allowed.some((s) => s === "declined" || s === "cancelled");
    if (needsReason) form.append(field("reason", "Reason (optional)", { rows: 2, maxlength: 1000, hint: "Shown to the other person when you decline or cancel." }));
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
        field("note", "Note", { rows: 4, required: true, maxlength: 4000, hint: "What you talked about and what comes next." }),
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
