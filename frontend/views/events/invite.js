// Inviting members to an event: search the directory, pick up to 50, send, and see each
// invitation's outcome (invited, already invited, not accepting invitations from you and
// why), or the daily limit.  People who are not members yet are invited by email address
// (comma or newline separated), with a result for each address.
import { ApiError, get, post } from "../../lib/api.js";
import { h, link, uid } from "../../lib/dom.js";
import { field, formAlert, onSubmit, submit, value } from "../../lib/forms.js";
import { bodies, queries } from "../../lib/limits.js";
import { currentMember } from "../../lib/state.js";
import { announce, pageHeading, showError } from "../../lib/ui.js";

const AT_ONCE = bodies.InviteRequest.member_ids.maxItems;
const EMAILS_AT_ONCE = bodies.InviteRequest.emails.maxItems;
const EMAIL_MAX = bodies.InviteRequest.emails.items.maxLength;

const EMAIL_RESULT = {
  invited: "Invited: an email is on its way.",
  already_invited: "Already invited to this event.",
  not_accepting: "Not accepting invitations: this address asked not to get email from Interlibrary, had 3 invitations in the last 30 days, or is your own.",
};

/** The distinct addresses typed, split at commas, semicolons, spaces and new lines. */
function addresses(text) {
  const seen = new Set();
  return text.split(/[\s,;]+/).filter((a) => a && !seen.has(a.toLowerCase()) && seen.add(a.toLowerCase()));
}

function limitNotice(err) {
  return h("div", { class: "notice notice-warn", id: "invite-cap", role: "alert" }, h("p", {}, h("strong", {}, "Daily invitation limit reached. "), err.detail), h("p", {}, "Each member can send up to 200 invitations in any 24 hours. Nothing was sent: try fewer people, or later."));
}

/** The form to invite by email, and each address's result. */
function emailInvites(ev) {
  const outcome = h("div", { id: "email-invite-results", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "form", id: "email-invite-form", novalidate: true },
    formAlert(),
    field("emails", "Email addresses", {
      rows: 4,
      spellcheck: "false",
      hint: `Up to ${EMAILS_AT_ONCE} at a time, separated by commas or new lines. Each person gets one email inviting them to this event and to join Interlibrary, with your name on it.`,
    }),
    h("div", { class: "actions" }, submit("Send email invitations")),
  );
  onSubmit(form, async () => {
    outcome.replaceChildren();
    const emails = addresses(form.elements.emails.value);
    const bad = emails.find((a) => a.length > EMAIL_MAX || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a));
    if (!emails.length || emails.length > EMAILS_AT_ONCE || bad) {
      const message = !emails.length ? "type at least one address" : bad ? `not an email address: ${bad}` : `at most ${EMAILS_AT_ONCE} addresses at a time`;
      throw new ApiError(400, { detail: "Check the addresses.", errors: [{ field: "emails", message }] });
    }
    try {
      const res = await post(`/v1/events/${ev.id}/invitations`, { emails });
      const invited = res.results.filter((r) => r.result === "invited").length;
      outcome.replaceChildren(
        h("h3", { id: "email-results-h", tabindex: "-1" }, "Email results"),
        h("p", {}, `${invited} invited by email; you can send ${res.remaining} more invitations in the next 24 hours.`),
        h(
          "ul",
          { class: "cards", id: "email-result-list" },
          res.results.map((r) => h("li", { class: `card invite-result result-${r.result}` }, h("p", { class: "card-title" }, r.email), h("p", {}, EMAIL_RESULT[r.result] || r.result))),
        ),
      );
      form.elements.emails.value = "";
      outcome.querySelector("#email-results-h").focus();
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) outcome.replaceChildren(limitNotice(err));
      else throw err;
    }
  });
  return h(
    "section",
    { class: "panel", "aria-labelledby": "email-invite-h" },
    h("h2", { id: "email-invite-h" }, "Invite by email"),
    h("p", { class: "muted" }, "For people who are not members yet. Nobody gets more than 3 invitations in 30 days, and anyone can stop them for good."),
    form,
    outcome,
  );
}

const INVITE_SETTING = {
  anyone: "anyone",
  met: "people they have met at an event",
  organizations: "people in their organizations",
  nobody: "nobody",
};

function resultText(result, profile) {
  switch (result) {
    case "invited":
      return "Invited.";
    case "already_invited":
      return "Already invited to this event.";
    case "not_found":
      return "Not found: this member no longer exists.";
    case "not_accepting": {
      const setting = profile && typeof profile.invitations === "string" ? INVITE_SETTING[profile.invitations] || profile.invitations : null;
      return setting
        ? `Not accepting invitations from you: their setting is \u201cinvitations from ${setting}\u201d.`
        : "Not accepting invitations from you: their privacy settings only allow invitations from people they know through an organization or an event, or from nobody.";
    }
    default:
      return result;
  }
}

export async function eventInviteView({ params }) {
  const ev = await get(`/v1/events/${encodeURIComponent(params.id)}`);
  const selected = new Map();
  const chosen = h("ul", { class: "chips", id: "selected-members", "aria-label": "Selected members" });
  const chosenCount = h("p", { class: "muted", id: "selected-count", "aria-live": "polite" }, "Nobody selected yet.");
  const results = h("ul", { class: "cards", id: "search-results", "aria-label": "Search results" });
  const outcome = h("div", { id: "invite-results", "aria-live": "polite" });

  function drawChosen() {
    chosen.replaceChildren(
      ...[...selected.values()].map((m) => {
        const remove = h("button", { type: "button", class: "button small secondary", "aria-label": `Remove ${m.display_name}` }, "Remove");
        remove.addEventListener("click", () => {
          selected.delete(m.id);
          drawChosen();
          syncBoxes();
          (chosen.querySelector("button") || search.elements.q).focus();
        });
        return h("li", { class: "chip" }, h("span", {}, m.display_name), " ", remove);
      }),
    );
    chosenCount.textContent = selected.size ? `${selected.size} selected (at most ${AT_ONCE} at a time).` : "Nobody selected yet.";
    send.disabled = selected.size === 0;
  }
  function syncBoxes() {
    for (const box of results.querySelectorAll("input[type=checkbox]")) box.checked = selected.has(Number(box.value));
  }

  const search = h(
    "form",
    { class: "form filters", role: "search", "aria-label": "Search the directory", id: "invite-search", novalidate: true },
    formAlert(),
    h("div", { class: "filter-grid" }, field("q", "Name or keyword", { type: "search", maxlength: queries["/v1/members"].q.maxLength }), field("city", "City", { maxlength: queries["/v1/members"].city.maxLength })),
    h("div", { class: "actions" }, submit("Search")),
  );
  onSubmit(search, async () => {
    const page = await get("/v1/members", { query: { q: value(search, "q"), city: value(search, "city"), limit: 50 } });
    const me = currentMember();
    const people = page.data.filter((m) => !me || m.id !== me.id);
    results.replaceChildren(
      ...(people.length
        ? people.map((m) => {
            const id = uid("pick");
            const box = h("input", { type: "checkbox", id, value: String(m.id), checked: selected.has(m.id) });
            box.addEventListener("change", () => {
              if (box.checked) {
                if (selected.size >= AT_ONCE) {
                  box.checked = false;
                  announce(`You can invite at most ${AT_ONCE} members at a time.`);
                  return;
                }
                selected.set(m.id, m);
              } else selected.delete(m.id);
              drawChosen();
            });
            return h(
              "li",
              { class: "card row-card pick" },
              h("div", { class: "field-check" }, box, h("label", { for: id }, m.display_name, m.city ? h("span", { class: "muted small" }, ` · ${m.city}`) : null)),
            );
          })
        : [h("li", { class: "muted" }, "No members match.")]),
    );
    announce(`${people.length} member${people.length === 1 ? "" : "s"} found.`);
  });

  const send = h("button", { type: "button", class: "button", id: "send-invitations", disabled: true }, "Send invitations");
  send.addEventListener("click", async () => {
    if (!selected.size) return;
    send.disabled = true;
    outcome.replaceChildren();
    try {
      const ids = [...selected.keys()];
      const res = await post(`/v1/events/${ev.id}/invitations`, { member_ids: ids });
      const counts = {};
      for (const r of res.results) counts[r.result] = (counts[r.result] || 0) + 1;
      outcome.replaceChildren(
        h("h2", { id: "results-h", tabindex: "-1" }, "Results"),
        h("p", {}, `${counts.invited || 0} invited${typeof res.remaining === "number" ? `; you can send ${res.remaining} more invitations in the next 24 hours` : ""}.`),
        h(
          "ul",
          { class: "cards", id: "invite-result-list" },
          res.results.map((r) => {
            const m = selected.get(r.member_id) || { display_name: `Member ${r.member_id}` };
            return h("li", { class: `card invite-result result-${r.result}`, dataset: { member: r.member_id } }, h("p", { class: "card-title" }, m.display_name), h("p", {}, resultText(r.result, m)));
          }),
        ),
      );
      selected.clear();
      drawChosen();
      syncBoxes();
      outcome.querySelector("#results-h").focus();
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) {
        outcome.replaceChildren(limitNotice(err));
      } else showError(err);
    } finally {
      send.disabled = selected.size === 0;
    }
  });
  drawChosen();
  return h(
    "section",
    { class: "page" },
    pageHeading(`Invite members to ${ev.title}`),
    h("p", {}, link(`/events/${ev.id}`, `Back to ${ev.title}`)),
    h("p", { class: "muted" }, "Members choose who may invite them. Each invitation tells them why they got it; unwanted ones can be reported."),
    search,
    h("h2", {}, "Search results"),
    results,
    h("section", { class: "panel", "aria-labelledby": "sel-h" }, h("h2", { id: "sel-h" }, "Selected"), chosenCount, chosen, h("div", { class: "actions" }, send)),
    outcome,
    emailInvites(ev),
  );
}
