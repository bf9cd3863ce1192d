// Events: the upcoming list as an agenda grouped by day (each event in its own time zone)
// or a month grid (keyboard navigable), filters kept in the URL; an event's page (details,
// RSVP with guests and waitlist, who is going, add to calendar, advocacy target, talking
// points and turnout, and the organizers' tools: edit, cancel, attendance, recap, CSV);
// creating and editing; inviting members.
import { ApiError, api, baseUrl, del, get, patch, post, put } from "../lib/api.js";
import { turnoutChart } from "../lib/chart.js";
import { append, h, link, parseList, replace, safeHref, saveFile, tagList, uid } from "../lib/dom.js";
import { draftNotice, dropDraft, field, formAlert, keepDraft, onSubmit, radioGroup, submit, value, withOption } from "../lib/forms.js";
import { adminOrganizationOptions, organizationOptions } from "../lib/organizations.js";
import { navigate } from "../lib/router.js";
import { filterError, filterForm } from "../lib/search.js";
import { currentMember, isSignedIn } from "../lib/state.js";
import {
  addMonths, clock, dayHeading, dayKey, eventWhen, fromLocalInput, localZone, monthKey, monthTitle,
  parseMonth, readerWhen, toLocalInput, today, validZone, zoneList,
} from "../lib/time.js";
import { announce, confirmDialog, flashNext, pageHeading, row, showError } from "../lib/ui.js";

export const EVENT_KINDS = {
  social: "Social",
  meetup: "Meetup",
  training: "Training",
  tour: "Tour",
  advocacy: "Advocacy",
  celebration: "Celebration",
  conference: "Conference",
};

const FILTERS = ["kind", "organization", "city"];
const PAGE = 20;

function kindLabel(kind) {
  return EVENT_KINDS[kind] || kind;
}

// --- List: agenda and month -----------------------------------------------------------

function eventItem(ev, { showDate = false } = {}) {
  const cancelled = ev.status === "cancelled";
  const places =
    ev.capacity === null || ev.capacity === undefined
      ? null
      : ev.places_left > 0
        ? `${ev.places_left} place${ev.places_left === 1 ? "" : "s"} left`
        : ev.waitlist_count > 0
          ? `Full, ${ev.waitlist_count} on the waitlist`
          : "Full";
  return h(
    "li",
    { class: `card event-card${cancelled ? " cancelled" : ""}`, dataset: { id: ev.id } },
    h(
      "p",
      { class: "card-title" },
      link(`/events/${ev.id}`, ev.title),
      " ",
      h("span", { class: `pill kind-${ev.kind}` }, kindLabel(ev.kind)),
      cancelled ? h("span", { class: "pill pill-bad" }, "Cancelled") : null,
      ev.my_rsvp ? h("span", { class: "pill pill-accent" }, rsvpShort(ev.my_rsvp)) : null,
    ),
    h(
      "p",
      { class: "muted small" },
      showDate ? eventWhen(ev) : [h("time", { datetime: ev.starts_at }, `${clock(ev.starts_at, ev.timezone)} – ${clock(ev.ends_at, ev.timezone)}`), ` (${ev.timezone})`],
      ev.city ? ` · ${ev.city}` : null,
      ev.organization ? ` · ${ev.organization.name}` : null,
    ),
    places || ev.going_count ? h("p", { class: "small" }, `${ev.going_count} going${places ? ` · ${places}` : ""}`) : null,
  );
}

function rsvpShort(r) {
  return { going: "You're going", waitlisted: `Waitlist #${r.waitlist_position}`, maybe: "Maybe", not_going: "Not going" }[r.status] || r.status;
}

function filtersForm(f, orgs, view, month) {
  return filterForm({
    id: "event-filters",
    label: "Filter events",
    path: "/events",
    keys: FILTERS,
    fields: [
      field("kind", "Kind", { options: [["", "Any kind"], ...Object.entries(EVENT_KINDS)], value: f.kind }),
      field("organization", "Organization", { options: [["", "Any organization"], ...orgs], value: f.organization }),
      field("city", "City", { value: f.city, maxlength: 80 }),
    ],
    submitLabel: "Filter",
    clear: view === "month" ? `/events?view=month&month=${month}` : "/events",
    first: view === "month" ? { view: "month", month } : {},
  });
}

function viewSwitch(view, f, month) {
  const base = new URLSearchParams();
  for (const k of FILTERS) if (f[k]) base.set(k, f[k]);
  const agenda = new URLSearchParams(base);
  const monthQ = new URLSearchParams(base);
  monthQ.set("view", "month");
  monthQ.set("month", month);
  const qs = agenda.toString();
  return h(
    "nav",
    { class: "subnav", "aria-label": "Event views" },
    h(
      "ul",
      {},
      h("li", {}, link(`/events${qs ? `?${qs}` : ""}`, "Agenda", { "aria-current": view === "agenda" ? "page" : null })),
      h("li", {}, link(`/events?${monthQ}`, "Month", { "aria-current": view === "month" ? "page" : null })),
    ),
  );
}

function feedLinks(f) {
  const base = baseUrl();
  if (!base) return null;
  const q = new URLSearchParams();
  for (const k of FILTERS) if (f[k]) q.set(k, f[k]);
  const qs = q.toString() ? `?${q}` : "";
  return h(
    "p",
    { class: "small muted feeds" },
    "Subscribe to these events: ",
    h("a", { href: `${base}/v1/events.ics${qs}` }, "calendar (.ics)"),
    " · ",
    h("a", { href: `${base}/v1/events.rss${qs}` }, "RSS"),
    " · ",
    h("a", { href: `${base}/v1/events.json${qs}` }, "JSON Feed"),
  );
}

export async function eventListView({ query }) {
  const view = query.get("view") === "month" ? "month" : "agenda";
  const f = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) || ""]));
  const todayKey = today();
  const month = parseMonth(query.get("month")) || parseMonth(todayKey.slice(0, 7));
  const mKey = monthKey(month);
  const orgs = withOption(await organizationOptions(), f.organization);
  const form = filtersForm(f, orgs, view, mKey);
  const results = h("div", { id: "event-results" });
  const head = pageHeading(
    "Events",
    isSignedIn()
      ? h("div", { class: "actions" }, link("/events/new", "Create an event", { class: "button" }), link("/invitations", "My invitations", { class: "button secondary" }))
      : null,
  );
  const filterQuery = Object.fromEntries(FILTERS.filter((k) => f[k]).map((k) => [k, f[k]]));
  const onError = filterError(form);

  if (view === "month") {
    await renderMonth(results, month, filterQuery, onError);
  } else {
    await renderAgenda(results, filterQuery, onError);
  }
  return h(
    "section",
    { class: "page" },
    head,
    h("p", { class: "muted" }, "Socials, meetups, trainings, tours, advocacy and more across the region's libraries. Times are shown in each event's own time zone."),
    viewSwitch(view, f, mKey),
    form,
    results,
    feedLinks(f),
  );
}

async function renderAgenda(container, filterQuery, onError) {
  const items = [];
  let cursor = null;
  const agenda = h("div", { class: "agenda", id: "agenda" });
  const count = h("p", { class: "muted result-count", "aria-live": "polite" });
  const more = h("button", { type: "button", class: "button secondary", id: "load-more-events", hidden: true }, "Load more events");

  function draw(firstNewId) {
    const groups = new Map();
    for (const ev of items) {
      const key = dayKey(ev.starts_at, ev.timezone);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(ev);
    }
    const keys = [...groups.keys()].sort();
    agenda.replaceChildren(
      ...keys.map((key) => {
        const hid = `day-${key}`;
        return h(
          "section",
          { class: "agenda-day", "aria-labelledby": hid },
          h("h2", { id: hid }, h("time", { datetime: key }, dayHeading(key))),
          h("ul", { class: "cards" }, groups.get(key).map((ev) => eventItem(ev))),
        );
      }),
    );
    count.textContent = items.length
      ? `Showing ${items.length} event${items.length === 1 ? "" : "s"}${cursor ? "; more are available" : ""}.`
      : "No upcoming events match these filters.";
    more.hidden = !cursor;
    if (firstNewId) agenda.querySelector(`li[data-id="${firstNewId}"] a`)?.focus();
  }

  async function load(moveFocus) {
    more.disabled = true;
    try {
      const page = await get("/v1/events", { query: { ...filterQuery, limit: PAGE, cursor } });
      const fresh = page.data || [];
      items.push(...fresh);
      cursor = page.next_cursor || null;
      draw(moveFocus && fresh[0] ? fresh[0].id : null);
    } catch (err) {
      onError(err);
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener("click", () => load(true));
  container.replaceChildren(h("h2", { class: "visually-hidden" }, "Upcoming events"), agenda, h("div", { class: "load-more" }, count, more));
  await load(false);
}

async function fetchRange(from, to, filterQuery) {
  const out = [];
  let cursor = null;
  for (let i = 0; i < 10; i += 1) {
    const page = await get("/v1/events", { query: { ...filterQuery, from, to, limit: 100, cursor } });
    out.push(...(page.data || []));
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return out;
}

let pendingMonthFocus = null;

async function renderMonth(container, month, filterQuery, onError) {
  const first = new Date(Date.UTC(month.year, month.month - 1, 1));
  const daysIn = new Date(Date.UTC(month.year, month.month, 0)).getUTCDate();
  // A day of margin either side: each event is placed by its own zone's calendar day.
  const from = new Date(first.getTime() - 2 * 86400000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const to = new Date(Date.UTC(month.year, month.month, 1) + 2 * 86400000).toISOString().replace(/\.\d{3}Z$/, "Z");
  let events = [];
  try {
    events = await fetchRange(from, to, filterQuery);
  } catch (err) {
    onError(err);
  }
  const mk = monthKey(month);
  const byDay = new Map();
  for (const ev of events) {
    const key = dayKey(ev.starts_at, ev.timezone);
    if (!key.startsWith(mk)) continue;
    if (!byDay.has(key)) byDay.set(key, []);
    byDay.get(key).push(ev);
  }
  const prev = addMonths(month, -1);
  const next = addMonths(month, 1);
  const qs = (m) => {
    const p = new URLSearchParams(filterQuery);
    p.set("view", "month");
    p.set("month", monthKey(m));
    return `/events?${p}`;
  };
  const captionId = uid("month");
  const weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  const lead = first.getUTCDay();
  const cells = [];
  for (let i = 0; i < lead; i += 1) cells.push(h("td", { class: "pad" }));
  const todayKey = today();
  for (let d = 1; d <= daysIn; d += 1) {
    const key = `${mk}-${String(d).padStart(2, "0")}`;
    const evs = byDay.get(key) || [];
    const label = `${dayHeading(key)}${evs.length ? `, ${evs.length} event${evs.length === 1 ? "" : "s"}` : ", no events"}`;
    cells.push(
      h(
        "td",
        { class: `day${evs.length ? " has-events" : ""}${key === todayKey ? " today" : ""}`, tabindex: "-1", dataset: { day: key } },
        h("span", { class: "day-num" }, h("span", { "aria-hidden": "true" }, String(d)), h("span", { class: "visually-hidden" }, label)),
        evs.length
          ? h(
              "ul",
              { class: "day-events" },
              evs.map((ev) =>
                h(
                  "li",
                  { class: ev.status === "cancelled" ? "cancelled" : null },
                  link(`/events/${ev.id}`, `${clock(ev.starts_at, ev.timezone)} ${ev.title}${ev.status === "cancelled" ? " (cancelled)" : ""}`, { tabindex: "-1" }),
                ),
              ),
            )
          : null,
      ),
    );
  }
  while (cells.length % 7) cells.push(h("td", { class: "pad" }));
  const rows = [];
  for (let i = 0; i < cells.length; i += 7) rows.push(h("tr", {}, cells.slice(i, i + 7)));
  const table = h(
    "table",
    { class: "month-grid", role: "grid", "aria-labelledby": captionId, id: "month-grid" },
    h("caption", { id: captionId }, monthTitle(month)),
    h("thead", {}, h("tr", {}, weekdays.map((w) => h("th", { scope: "col", abbr: w }, h("span", { "aria-hidden": "true" }, w.slice(0, 3)), h("span", { class: "visually-hidden" }, w))))),
    h("tbody", {}, rows),
  );
  const days = [...table.querySelectorAll("td.day")];
  const initial =
    (pendingMonthFocus && days.find((c) => c.dataset.day === pendingMonthFocus)) ||
    days.find((c) => c.dataset.day === todayKey) ||
    days.find((c) => c.classList.contains("has-events")) ||
    days[0];
  function activate(cell, focus = true) {
    for (const c of days) {
      c.tabIndex = c === cell ? 0 : -1;
      for (const a of c.querySelectorAll("a")) a.tabIndex = c === cell ? 0 : -1;
    }
    if (focus) cell.focus();
  }
  activate(initial, false);
  table.addEventListener("focusin", (e) => {
    const cell = e.target.closest("td.day");
    if (cell && cell.tabIndex !== 0) activate(cell, false);
  });
  table.addEventListener("keydown", (e) => {
    const cell = e.target.closest("td.day");
    if (!cell) return;
    const i = days.indexOf(cell);
    const dow = (lead + i) % 7;
    let target = null;
    switch (e.key) {
      case "ArrowRight": target = days[i + 1]; break;
      case "ArrowLeft": target = days[i - 1]; break;
      case "ArrowDown": target = days[i + 7]; break;
      case "ArrowUp": target = days[i - 7]; break;
      case "Home": target = days[Math.max(0, i - dow)]; break;
      case "End": target = days[Math.min(days.length - 1, i + (6 - dow))]; break;
      case "PageUp":
      case "PageDown": {
        e.preventDefault();
        const m = e.key === "PageUp" ? prev : next;
        const dim = new Date(Date.UTC(m.year, m.month, 0)).getUTCDate();
        pendingMonthFocus = `${monthKey(m)}-${String(Math.min(i + 1, dim)).padStart(2, "0")}`;
        navigate(qs(m));
        return;
      }
      case "Enter":
        if (e.target === cell) {
          const a = cell.querySelector("a");
          if (a) {
            e.preventDefault();
            a.focus();
          }
        }
        return;
      default:
        return;
    }
    e.preventDefault();
    if (target) activate(target);
  });
  if (pendingMonthFocus) {
    const focusCell = initial;
    pendingMonthFocus = null;
    setTimeout(() => focusCell.isConnected && focusCell.focus(), 0);
  }
  const total = [...byDay.values()].reduce((n, l) => n + l.length, 0);
  container.replaceChildren(
    h(
      "div",
      { class: "month-nav" },
      link(qs(prev), h("span", {}, "‹ ", monthTitle(prev)), { class: "button secondary small", id: "prev-month" }),
      h("h2", { class: "month-title" }, monthTitle(month)),
      link(qs(next), h("span", {}, monthTitle(next), " ›"), { class: "button secondary small", id: "next-month" }),
    ),
    h("p", { class: "muted small", id: "month-help" }, `${total} event${total === 1 ? "" : "s"} this month. In the calendar, use the arrow keys to move between days, Enter to reach a day's events, Page Up and Page Down to change month.`),
    h("div", { class: "month-wrap" }, table),
  );
  table.setAttribute("aria-describedby", "month-help");
}

// --- One event ----------------------------------------------------------------------

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

export async function eventView({ params }) {
  if (!/^[1-9][0-9]{0,17}$/.test(params.id)) throw new ApiError(404, { detail: "No such event." });
  const id = params.id;
  let ev = await get(`/v1/events/${id}`);
  let rsvps = await loadRsvps(id);
  const body = h("div", { class: "event-body" });
  const heading = pageHeading(ev.title);

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
        details(ev),
        ev.kind === "advocacy" ? advocacy(ev) : null,
        rsvpPanel(ev, refresh),
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
    radioGroup("response", "Will you come?", [["going", "Going"], ["maybe", "Maybe"], ["not_going", "Not going"]], mine?.response || ""),
    ev.guest_limit > 0
      ? field("guests", "Guests", {
          type: "number",
          min: 0,
          max: ev.guest_limit,
          value: String(mine?.guests ?? 0),
          inputmode: "numeric",
          hint: `People you bring along, up to ${ev.guest_limit}. Each takes a place.`,
        })
      : null,
    h("div", { class: "actions" }, submit("Save my RSVP")),
  );
  onSubmit(form, async () => {
    const response = value(form, "response");
    if (!response) throw new ApiError(400, { detail: "Choose an answer.", errors: [{ field: "response", message: "choose going, maybe or not going" }] });
    const g = form.elements.namedItem("guests");
    const body = { response };
    if (g && response === "going") {
      const n = g.value.trim() === "" ? 0 : Number(g.value);
      body.guests = Number.isInteger(n) ? n : g.value;
    }
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
        ? h("ul", { class: "people", id: "going-list" }, r.data.map((x) => h("li", {}, link(`/members/${x.member.id}`, x.member.display_name))))
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
                    h("th", { scope: "row" }, link(`/members/${x.member.id}`, x.member.display_name)),
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
    field("recap", "Recap", { rows: 5, value: ev.recap || "", maxlength: 10000, hint: "How it went: shown on the event page and in the community activity." }),
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
    field("reason", "Reason", { rows: 3, maxlength: 1000, hint: "Everyone who answered is notified with this reason. The event stays listed, marked as cancelled." }),
    h("div", { class: "actions" }, submit("Cancel event", { cls: "button danger" })),
  );
  onSubmit(form, async () => {
    const ok = await confirmDialog("Everyone who RSVPed will be notified. This cannot be undone.", { title: `Cancel ${ev.title}?`, confirmLabel: "Cancel event", danger: true });
    if (!ok) return;
    const reason = form.elements.reason.value.trim();
    await post(`/v1/events/${ev.id}/cancel`, { reason: reason || null });
    await refresh("The event was cancelled.");
    document.getElementById("cancelled-banner")?.setAttribute("tabindex", "-1");
    document.getElementById("cancelled-banner")?.focus();
  });
  return form;
}

// --- Create and edit ----------------------------------------------------------------

export async function eventFormView({ params }) {
  const editing = Boolean(params.id);
  const ev = editing ? await get(`/v1/events/${encodeURIComponent(params.id)}`) : null;
  const orgs = withOption(await adminOrganizationOptions(), ev?.organization?.slug, ev?.organization?.name);
  const zone = ev?.timezone || localZone();
  const draftKey = editing ? `event-edit-${ev.id}` : "event-new";
  const advocacyBox = h(
    "fieldset",
    { class: "group", id: "advocacy-fields", hidden: (ev?.kind || "") !== "advocacy" },
    h("legend", {}, "Advocacy"),
    field("target", "Target", { value: ev?.target, maxlength: 300, hint: "The body or meeting, e.g. the city council budget hearing." }),
    field("talking_points", "Talking points", { rows: 8, value: ev?.talking_points, maxlength: 10000, hint: "The script people speak from. Separate points with a blank line." }),
  );
  const form = h(
    "form",
    { class: "form", novalidate: true, id: "event-form" },
    formAlert(),
    field("title", "Title", { value: ev?.title, required: true, maxlength: 200 }),
    h(
      "div",
      { class: "field-row" },
      field("kind", "Kind", { options: [["", "Choose…"], ...Object.entries(EVENT_KINDS)], value: ev?.kind || "", required: true }),
      field("organization", "Organization", {
        options: [["", "None (a personal event)"], ...orgs],
        value: ev?.organization?.slug || "",
        hint: orgs.length ? "Organizations you are an admin of." : "You are not an admin of any organization.",
      }),
    ),
    field("description", "Description", { rows: 6, value: ev?.description, maxlength: 10000 }),
    h(
      "fieldset",
      { class: "group" },
      h("legend", {}, "When"),
      h(
        "div",
        { class: "field-row" },
        field("starts_at", "Starts", { type: "datetime-local", value: ev ? toLocalInput(ev.starts_at, zone) : "", required: true }),
        field("ends_at", "Ends", { type: "datetime-local", value: ev ? toLocalInput(ev.ends_at, zone) : "", required: true }),
      ),
      field("timezone", "Time zone", { options: zoneList(zone).map((z) => [z, z.replace(/_/g, " ")]), value: zone, required: true, hint: "Start and end are read in this time zone." }),
    ),
    h(
      "fieldset",
      { class: "group" },
      h("legend", {}, "Where"),
      field("venue", "Venue", { value: ev?.venue, maxlength: 200 }),
      h("div", { class: "field-row" }, field("address", "Address", { value: ev?.address, maxlength: 300 }), field("city", "City", { value: ev?.city, maxlength: 80 })),
      field("online_url", "Online link", { type: "url", value: ev?.online_url, maxlength: 500, placeholder: "https://" }),
      field("accessibility_notes", "Accessibility notes", { rows: 3, value: ev?.accessibility_notes, maxlength: 2000, hint: "Step-free access, hearing loop, quiet room…" }),
    ),
    h(
      "fieldset",
      { class: "group" },
      h("legend", {}, "Places"),
      h(
        "div",
        { class: "field-row" },
        field("capacity", "Capacity", { type: "number", min: 1, max: 100000, inputmode: "numeric", value: ev?.capacity ?? "", hint: "Leave empty for no limit. Lowering it never removes anyone." }),
        field("guest_limit", "Guests per member", { type: "number", min: 0, max: 20, inputmode: "numeric", value: String(ev?.guest_limit ?? 0), hint: "From 0 to 20." }),
      ),
    ),
    field("tags", "Tags", { value: (ev?.tags || []).join(", "), hint: "Separate with commas, up to 10." }),
    advocacyBox,
    h("div", { class: "actions" }, submit(editing ? "Save changes" : "Create event"), link(editing ? `/events/${ev.id}` : "/events", "Cancel", { class: "button secondary" })),
  );
  form.elements.kind.addEventListener("change", () => {
    advocacyBox.hidden = form.elements.kind.value !== "advocacy";
  });
  keepDraft(form, draftKey);
  advocacyBox.hidden = form.elements.kind.value !== "advocacy";

  onSubmit(form, async () => {
    const tz = value(form, "timezone");
    const errors = [];
    const starts = fromLocalInput(value(form, "starts_at"), tz);
    const ends = fromLocalInput(value(form, "ends_at"), tz);
    if (!starts) errors.push({ field: "starts_at", message: "is required: a date and a time" });
    if (!ends) errors.push({ field: "ends_at", message: "is required: a date and a time" });
    if (!value(form, "kind")) errors.push({ field: "kind", message: "choose one" });
    if (!validZone(tz)) errors.push({ field: "timezone", message: "is not a time zone this browser knows" });
    if (errors.length) throw new ApiError(400, { detail: "Please correct the marked fields.", errors });
    const text = (n) => {
      const v = form.elements.namedItem(n).value.trim();
      return v === "" ? null : v;
    };
    const cap = value(form, "capacity");
    const guests = value(form, "guest_limit");
    const num = (v) => (/^-?\d+$/.test(v) ? Number(v) : v);
    const kind = value(form, "kind");
    const body = {
      title: value(form, "title"),
      kind,
      description: text("description"),
      starts_at: starts,
      ends_at: ends,
      timezone: tz,
      venue: text("venue"),
      address: text("address"),
      city: text("city"),
      online_url: text("online_url"),
      accessibility_notes: text("accessibility_notes"),
      capacity: cap === "" ? null : num(cap),
      guest_limit: guests === "" ? 0 : num(guests),
      tags: parseList(value(form, "tags")),
      organization: value(form, "organization") || null,
    };
    if (kind === "advocacy") {
      body.target = text("target");
      body.talking_points = text("talking_points");
    } else if (editing && (ev.target || ev.talking_points)) {
      body.target = null;
      body.talking_points = null;
    }
    if (!editing) {
      for (const k of Object.keys(body)) if (body[k] === null) delete body[k];
    } else if (body.organization === (ev.organization?.slug || null)) {
      delete body.organization;
    }
    const saved = editing ? await patch(`/v1/events/${ev.id}`, body) : await post("/v1/events", body);
    dropDraft(draftKey);
    flashNext(editing ? "The event was saved." : "The event was created.");
    navigate(`/events/${saved.id}`);
  });
  return h(
    "section",
    { class: "page" },
    pageHeading(editing ? `Edit ${ev.title}` : "Create an event"),
    editing ? null : h("p", { class: "muted" }, "You will be its organizer. Fields marked * are required."),
    draftNotice(form),
    form,
  );
}

// --- Invite ---------------------------------------------------------------------------

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
    chosenCount.textContent = selected.size ? `${selected.size} selected (at most 50 at a time).` : "Nobody selected yet.";
    send.disabled = selected.size === 0;
  }
  function syncBoxes() {
    for (const box of results.querySelectorAll("input[type=checkbox]")) box.checked = selected.has(Number(box.value));
  }

  const search = h(
    "form",
    { class: "form filters", role: "search", "aria-label": "Search the directory", id: "invite-search", novalidate: true },
    formAlert(),
    h("div", { class: "filter-grid" }, field("q", "Name or keyword", { type: "search", maxlength: 100 }), field("city", "City", { maxlength: 80 })),
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
                if (selected.size >= 50) {
                  box.checked = false;
                  announce("You can invite at most 50 members at a time.");
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
        outcome.replaceChildren(
          h("div", { class: "notice notice-warn", id: "invite-cap", role: "alert" }, h("p", {}, h("strong", {}, "Daily invitation limit reached. "), err.detail), h("p", {}, "Each member can send up to 200 invitations in any 24 hours. Nothing was sent: try fewer people, or later.")),
        );
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
  );
}

export { eventItem };
