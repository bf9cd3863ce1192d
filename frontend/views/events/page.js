// An event's page: details (add to calendar), an advocacy event's target, talking points
// and turnout, the member's RSVP (guests, waitlist), the sign-up list (signups.js), who is
// going (as much as the viewer may see; after the event, people to write to or thank:
// people.js), the recap, and the organizers' tools: edit, invite, the RSVPs as CSV,
// attendance, the recap and cancelling.
import { ApiError, api, baseUrl, del, get, patch, post, put } from "../../lib/api.js";
import { turnoutChart } from "../../lib/chart.js";
import { append, h, link, replace, safeHref, saveFile, tagList } from "../../lib/dom.js";
import { enumOptions, field, formAlert, onSubmit, radioGroup, submit, value } from "../../lib/forms.js";
import { bodies } from "../../lib/limits.js";
import { positionText } from "../../lib/nearby.js";
import { isSignedIn } from "../../lib/state.js";
import { eventWhen, readerWhen } from "../../lib/time.js";
import { announce, confirmDialog, pageHeading, row, showError } from "../../lib/ui.js";
import { invitationNotice, invitationPanel, invitationToken } from "./emailinvite.js";
import { kindLabel } from "./item.js";
import { personActions, personItem } from "./people.js";
import { signupsPanel } from "./signups.js";
import { SCOPES, seriesNote } from "./repeats.js";

function rsvpSentence(r, ev) {
  if (!r) return null;
  const guests = r.guests ? ` with ${r.guests} guest${r.guests === 1 ? "" : "s"}` : "";
  switch (r.status) {
    case "going":
      return `You are going${guests}.`;
    case "waitlisted":
      return `The event is full: you are number ${r.waitlist_position} on the waitlist${guests}. You will be notified if a place frees up.`;
    case "maybe":
      return "You said maybe.";
    case "not_going":
      return "You said you are not going.";
    default:
      return `Your answer: ${r.status}.`;
  }
}

function hasStarted(ev) {
  return new Date(ev.starts_at).getTime() <= Date.now();
}
function hasEnded(ev) {
  return new Date(ev.ends_at).getTime() <= Date.now();
}

export async function eventView({ params, query }) {
  if (!/^[1-9][0-9]{0,17}$/.test(params.id)) throw new ApiError(404, { detail: "No such event." });
  const id = params.id;
  let ev = await get(`/v1/events/${id}`);
  let rsvps = await loadRsvps(id);
  const series = ev.series_id ? await get(`/v1/series/${ev.series_id}`).catch(() => null) : null;
  const body = h("div", { class: "event-body" });
  const heading = pageHeading(ev.title);
  const invitation = invitationToken(query);

  async function refresh(message) {
    const focusedId = document.activeElement?.id;
    [ev, rsvps] = await Promise.all([get(`/v1/events/${id}`), loadRsvps(id)]);
    heading.querySelector("h1").textContent = ev.title;
    draw();
    if (message) announce(message);
    if (focusedId) document.getElementById(focusedId)?.focus();
  }

  function draw() {
    const organizer = rsvps?.view === "organizer";
    replace(
      body,
      [
        ev.status === "cancelled"
          ? h(
              "div",
              { class: "notice notice-error cancelled-banner", id: "cancelled-banner" },
              h("p", {}, h("strong", {}, "This event was cancelled."), ev.cancel_reason ? ` Reason: ${ev.cancel_reason}` : " No reason was given."),
            )
          : null,
        hasEnded(ev) && ev.status !== "cancelled" ? h("p", { class: "notice notice-info" }, "This event has ended.") : null,
        invitation ? (isSignedIn() ? invitationNotice() : invitationPanel(ev, invitation)) : null,
        details(ev),
        series ? seriesNote(series, ev) : null,
        ev.kind === "advocacy" ? advocacy(ev) : null,
        rsvpPanel(ev, refresh),
        signupsPanel(ev, { organizer }),
        attendeesPanel(ev, rsvps),
        ev.recap ? h("section", { class: "panel", "aria-labelledby": "recap-h" }, h("h2", { id: "recap-h" }, "Recap"), h("p", { class: "bio" }, ev.recap)) : null,
        organizer ? organizerPanel(ev, rsvps, refresh) : null,
      ],
    );
  }
  draw();
  return h("section", { class: "page event-page" }, heading, body);
}

async function loadRsvps(id) {
  try {
    return await get(`/v1/events/${id}/rsvps`, { query: { limit: 100 } });
  } catch (err) {
    if (err instanceof ApiError && !err.handled) return { error: err };
    throw err;
  }
}

function details(ev) {
  const online = safeHref(ev.online_url);
  const ics = baseUrl() ? `${baseUrl()}/v1/events/${ev.id}.ics` : null;
  const places =
    ev.capacity === null || ev.capacity === undefined
      ? "No limit"
      : `${ev.capacity} (${ev.places_left} left${ev.waitlist_count ? `, ${ev.waitlist_count} on the waitlist` : ""})`;
  return h(
    "section",
    { class: "panel event-details", "aria-labelledby": "details-h" },
    h("h2", { id: "details-h", class: "visually-hidden" }, "Details"),
    h(
      "dl",
      { class: "facts" },
      row("When", [eventWhen(ev), h("br"), h("span", { class: "muted small" }, `Time zone: ${ev.timezone}`), readerWhen(ev) ? [h("br"), h("span", { class: "muted small" }, readerWhen(ev))] : null]),
      row("Kind", kindLabel(ev.kind)),
      row("Where", [ev.venue, ev.address, ev.city].filter(Boolean).join(", ") || null),
      row("Position", positionText(ev)),
      row("Online", online ? h("a", { href: online, rel: "noopener noreferrer", target: "_blank" }, new URL(online).host, h("span", { class: "visually-hidden" }, " (opens in a new tab)")) : null),
      row("Organization", ev.organization ? link(`/organizations/${ev.organization.slug}`, ev.organization.name) : null),
      row("Organizers", ev.organizers?.length ? ev.organizers.map((o, i) => [i ? ", " : "", link(`/members/${o.id}`, o.display_name)]) : null),
      row("Places", places),
      row("Guests", ev.guest_limit ? `Each member may bring up to ${ev.guest_limit} guest${ev.guest_limit === 1 ? "" : "s"}.` : null),
      row("Going", `${ev.going_count}`),
      row("Accessibility", ev.accessibility_notes),
    ),
    tagList(ev.tags, "Tags"),
    ev.description ? h("p", { class: "bio" }, ev.description) : null,
    ics ? h("p", {}, h("a", { href: ics, class: "button secondary small", id: "add-to-calendar", download: `event-${ev.id}.ics` }, "Add to calendar (.ics)")) : null,
  );
}

function advocacy(ev) {
  const print = h("button", { type: "button", class: "button secondary small no-print", id: "print-talking-points" }, "Print talking points");
  print.addEventListener("click", () => {
    document.body.dataset.print = "talking-points";
    const done = () => {
      delete document.body.dataset.print;
      window.removeEventListener("afterprint", done);
    };
    window.addEventListener("afterprint", done);
    window.print();
    setTimeout(done, 1000);
  });
  return [
    h(
      "section",
      { class: "panel advocacy print-keep", "aria-labelledby": "adv-h" },
      h("h2", { id: "adv-h" }, "Advocacy"),
      ev.target ? h("p", { class: "target" }, h("strong", {}, "Target: "), ev.target) : null,
      ev.talking_points
        ? h(
            "div",
            { class: "talking-points", id: "talking-points" },
            h("h3", {}, "Talking points"),
            ev.talking_points.split(/\n{2,}/).map((para) => h("p", {}, para)),
            print,
          )
        : h("p", { class: "muted" }, "The organizers have not shared talking points yet."),
    ),
    h(
      "section",
      { class: "panel turnout-panel", "aria-labelledby": "turnout-h" },
      h("h2", { id: "turnout-h" }, "Turnout"),
      turnoutChart({ pledged: ev.pledged_count ?? ev.going_count, attended: ev.attended_count }),
    ),
  ];
}

const RESPONSES = { going: "Going", maybe: "Maybe", not_going: "Not going" };

function rsvpPanel(ev, refresh) {
  const section = h("section", { class: "panel rsvp-panel", "aria-labelledby": "rsvp-h" }, h("h2", { id: "rsvp-h" }, "Your RSVP"));
  const mine = ev.my_rsvp;
  const state = h("p", { id: "rsvp-state", class: mine ? "rsvp-state" : "muted" }, rsvpSentence(mine, ev) || "You have not answered yet.");
  if (!isSignedIn()) {
    section.append(h("p", {}, link(`/login?next=${encodeURIComponent(`/events/${ev.id}`)}`, "Log in"), " to RSVP."));
    return section;
  }
  section.append(state);
  if (ev.status === "cancelled" || hasEnded(ev)) {
    section.append(h("p", { class: "muted" }, ev.status === "cancelled" ? "RSVPs are closed: the event was cancelled." : "RSVPs are closed: the event has ended."));
    return section;
  }
  const form = h(
    "form",
    { class: "form", id: "rsvp-form", novalidate: true },
    formAlert(),
    radioGroup("response", "Will you come?", enumOptions(bodies.RsvpPut.response.enum, RESPONSES), mine?.response || ""),
    ev.guest_limit > 0
      ? field("guests", "Guests", {
          type: "number",
          min: bodies.RsvpPut.guests.minimum,
          max: ev.guest_limit,
          value: String(mine?.guests ?? 0),
          inputmode: "numeric",
          hint: `People you bring along, up to ${ev.guest_limit}. Each takes a place.`,
        })
      : null,
    ev.series_id ? field("series", "The same for every later date of this series", { type: "checkbox", hint: "Each date keeps its own place or waitlist position." }) : null,
    h("div", { class: "actions" }, submit("Save my RSVP")),
  );
  // Before answering: whether "Going" gets a place or a place on the waitlist, and which.
  const already = mine && (mine.status === "going" || mine.status === "waitlisted");
  if (ev.capacity !== null && ev.capacity !== undefined && !already) {
    const full = h("p", { id: "rsvp-full", class: "notice notice-warn", hidden: true });
    const button = form.querySelector('button[type="submit"]');
    const update = () => {
      const g = form.elements.namedItem("guests");
      const guests = g && /^\d+$/.test(g.value.trim()) ? Number(g.value) : 0;
      const left = ev.places_left ?? 0;
      const n = (ev.waitlist_count || 0) + 1;
      const waits = left < 1 + guests;
      if (waits) {
        full.textContent =
          left > 0
            ? `Only ${left} place${left === 1 ? " is" : "s are"} left, not enough for you and ${guests} guest${guests === 1 ? "" : "s"}: \u201cGoing\u201d puts you on the waitlist at number ${n}. You get places, and an email, when enough free up.`
            : `This event is full: \u201cGoing\u201d puts you on the waitlist at number ${n}. You get a place, and an email, when one frees up.`;
      }
      full.hidden = !waits;
      button.textContent = waits && value(form, "response") === "going" ? "Join the waitlist" : "Save my RSVP";
    };
    form.querySelector(".actions").before(full);
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }
  onSubmit(form, async () => {
    const response = value(form, "response");
    if (!response) throw new ApiError(400, { detail: "Choose an answer.", errors: [{ field: "response", message: "choose going, maybe or not going" }] });
    const g = form.elements.namedItem("guests");
    const body = { response };
    if (g && response === "going") {
      const n = g.value.trim() === "" ? 0 : Number(g.value);
      body.guests = Number.isInteger(n) ? n : g.value;
    }
    if (ev.series_id && value(form, "series")) body.series = true;
    const r = await put(`/v1/events/${ev.id}/rsvp`, body);
    await refresh(rsvpSentence(r, ev));
    document.getElementById("rsvp-state")?.focus();
  });
  section.append(form);
  if (mine) {
    const withdraw = h("button", { type: "button", class: "button secondary", id: "withdraw-rsvp" }, "Withdraw my RSVP");
    withdraw.addEventListener("click", async () => {
      withdraw.disabled = true;
      try {
        await del(`/v1/events/${ev.id}/rsvp`);
        await refresh("Your RSVP was withdrawn.");
        document.getElementById("rsvp-state")?.focus();
      } catch (err) {
        withdraw.disabled = false;
        showError(err);
      }
    });
    section.append(h("div", { class: "actions" }, withdraw));
  }
  state.setAttribute("tabindex", "-1");
  return section;
}

function countsText(r) {
  const parts = [`${r.going_count} going`];
  if (r.guest_count) parts.push(`${r.guest_count} guest${r.guest_count === 1 ? "" : "s"}`);
  if (r.waitlist_count) parts.push(`${r.waitlist_count} on the waitlist`);
  if (r.maybe_count) parts.push(`${r.maybe_count} maybe`);
  if (r.not_going_count) parts.push(`${r.not_going_count} not going`);
  return `${parts.join(", ")}.`;
}

const STATUS_LABEL = { going: "Going", waitlisted: "Waitlist", maybe: "Maybe", not_going: "Not going" };

function attendeesPanel(ev, r) {
  const section = h("section", { class: "panel", "aria-labelledby": "who-h", id: "who-going" }, h("h2", { id: "who-h" }, "Who is going"));
  if (!r || r.error) {
    section.append(h("p", { class: "muted" }, "The list of who is going could not be loaded."));
    return section;
  }
  section.append(h("p", { id: "rsvp-counts" }, countsText(r)));
  if (r.view === "counts") {
    section.append(h("p", { class: "muted small" }, isSignedIn() ? "RSVP as going to see who else is going." : "Members who are going can see who else is going."));
  } else if (r.view === "going") {
    section.append(
      r.data.length
        ? h("ul", { class: "people", id: "going-list" }, r.data.map((x) => personItem(x.member, ev)))
        : h("p", { class: "muted" }, "Nobody yet."),
    );
  } else {
    append(section, [
      r.data.length
        ? h(
            "div",
            { class: "table-wrap" },
            h(
              "table",
              { class: "data", id: "rsvp-table" },
              h("caption", { class: "visually-hidden" }, "All RSVPs"),
              h("thead", {}, h("tr", {}, ["Member", "Answer", "Guests", "Attended"].map((t) => h("th", { scope: "col" }, t)))),
              h(
                "tbody",
                {},
                r.data.map((x) =>
                  h(
                    "tr",
                    {},
                    h("th", { scope: "row" }, link(`/members/${x.member.id}`, x.member.display_name), x.status === "going" || x.attended === true ? personActions(x.member, ev) : null),
                    h("td", {}, x.status === "waitlisted" ? `Waitlist #${x.waitlist_position}` : STATUS_LABEL[x.status] || x.status),
                    h("td", {}, String(x.guests ?? 0)),
                    h("td", {}, x.attended === true ? "Yes" : x.attended === false ? "No" : "—"),
                  ),
                ),
              ),
            ),
          )
        : h("p", { class: "muted" }, "No RSVPs yet."),
      r.next_cursor ? h("p", { class: "muted small" }, "Showing the first 100: download the CSV for everyone.") : null,
    ]);
  }
  return section;
}

function organizerPanel(ev, rsvps, refresh) {
  const cancelled = ev.status === "cancelled";
  const started = hasStarted(ev);
  const parts = [h("h2", { id: "org-h" }, "Organizer tools")];
  const actions = h("div", { class: "actions" });
  if (!cancelled) {
    actions.append(link(`/events/${ev.id}/edit`, "Edit event", { class: "button secondary", id: "edit-event" }));
    if (!hasEnded(ev)) actions.append(link(`/events/${ev.id}/invite`, "Invite members", { class: "button secondary", id: "invite-link" }));
  }
  const csv = h("button", { type: "button", class: "button secondary", id: "download-csv" }, "Download RSVPs (CSV)");
  csv.addEventListener("click", async () => {
    csv.disabled = true;
    try {
      const text = await api("GET", `/v1/events/${ev.id}/rsvps`, { accept: "text/csv" });
      saveFile(new Blob([typeof text === "string" ? text : JSON.stringify(text)], { type: "text/csv;charset=utf-8" }), `event-${ev.id}-rsvps.csv`);
      announce("The RSVPs were downloaded as a CSV file.");
    } catch (err) {
      showError(err);
    } finally {
      csv.disabled = false;
    }
  });
  actions.append(csv);
  parts.push(actions);

  if (!cancelled && started) parts.push(attendanceForm(ev, rsvps, refresh), recapForm(ev, refresh));
  else if (!cancelled) parts.push(h("p", { class: "muted small" }, "Attendance and a recap can be recorded once the event has started."));
  if (!cancelled && !hasEnded(ev)) parts.push(cancelForm(ev, refresh));
  return h("section", { class: "panel organizer-panel", "aria-labelledby": "org-h" }, parts);
}

function attendanceForm(ev, rsvps, refresh) {
  const people = (rsvps?.data || []).filter((x) => x.status === "going" || x.status === "waitlisted" || x.attended !== null);
  const form = h("form", { class: "form", id: "attendance-form", novalidate: true, "aria-labelledby": "att-h" }, h("h3", { id: "att-h" }, "Attendance"), formAlert());
  if (!people.length) {
    form.append(h("p", { class: "muted" }, "Nobody has RSVPed as going."));
    return form;
  }
  form.append(
    h(
      "fieldset",
      { class: "field", dataset: { field: "records" } },
      h("legend", {}, "Tick who attended"),
      people.map((x) => field(`att-${x.member.id}`, x.member.display_name, { type: "checkbox", value: x.attended === true })),
    ),
    h("div", { class: "actions" }, submit("Save attendance")),
  );
  onSubmit(form, async () => {
    const records = people.map((x) => ({ member_id: x.member.id, attended: form.elements.namedItem(`att-${x.member.id}`).checked }));
    const res = await post(`/v1/events/${ev.id}/attendance`, { records });
    await refresh(`Attendance saved: ${res.attended_count} attended, ${res.absent_count} did not.`);
  });
  return form;
}

function recapForm(ev, refresh) {
  const form = h(
    "form",
    { class: "form", id: "recap-form", novalidate: true, "aria-labelledby": "recap-form-h" },
    h("h3", { id: "recap-form-h" }, ev.recap ? "Edit the recap" : "Add a recap"),
    formAlert(),
    field("recap", "Recap", { rows: 5, value: ev.recap || "", maxlength: bodies.EventPatch.recap.maxLength, hint: "How it went: shown on the event page and in the community activity." }),
    h("div", { class: "actions" }, submit("Publish recap")),
  );
  onSubmit(form, async () => {
    const text = form.elements.recap.value.trim();
    await patch(`/v1/events/${ev.id}`, { recap: text || null });
    await refresh(text ? "The recap was published." : "The recap was removed.");
  });
  return form;
}

function cancelForm(ev, refresh) {
  const form = h(
    "form",
    { class: "form danger-zone", id: "cancel-form", novalidate: true, "aria-labelledby": "cancel-h" },
    h("h3", { id: "cancel-h" }, "Cancel this event"),
    formAlert(),
    field("reason", "Reason", { rows: 3, maxlength: bodies.EventCancel.reason.maxLength, hint: "Everyone who answered is notified with this reason. The event stays listed, marked as cancelled." }),
    ev.series_id ? radioGroup("cancel_scope", "This event repeats: cancel which events?", SCOPES, "this", { hint: "Past dates never change." }) : null,
    h("div", { class: "actions" }, submit("Cancel event", { cls: "button danger" })),
  );
  onSubmit(form, async () => {
    const scope = ev.series_id ? value(form, "cancel_scope") || "this" : "this";
    // One call (POST /v1/events/{id}/cancel?scope=): the dates counted here are only for
    // the question; the API cancels the dates still to come of the chosen scope.
    let ids = [ev.id];
    if (scope !== "this") {
      const occ = (await get(`/v1/series/${ev.series_id}`)).occurrences.filter((o) => o.status !== "cancelled");
      const mine = occ.filter((o) => o.id !== ev.id && (scope === "all" || Date.parse(o.starts_at) > Date.parse(ev.starts_at)));
      ids = [ev.id, ...mine.map((o) => o.id)];
    }
    const what = ids.length === 1 ? "Everyone who RSVPed will be notified." : `${ids.length} dates will be cancelled, and everyone who RSVPed to them notified.`;
    const ok = await confirmDialog(`${what} This cannot be undone.`, { title: `Cancel ${ev.title}?`, confirmLabel: ids.length === 1 ? "Cancel event" : `Cancel ${ids.length} events`, danger: true });
    if (!ok) return;
    const reason = form.elements.reason.value.trim();
    await post(`/v1/events/${ev.id}/cancel`, { reason: reason || null }, { query: scope !== "this" ? { scope } : undefined });
    await refresh(ids.length === 1 ? "The event was cancelled." : `${ids.length} events were cancelled.`);
    document.getElementById("cancelled-banner")?.setAttribute("tabindex", "-1");
    document.getElementById("cancelled-banner")?.focus();
  });
  return form;
}
