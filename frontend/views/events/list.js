// The events list: the upcoming events as an agenda grouped by day (each event in its
// own time zone) or as a month grid (lib/monthgrid.js), with the filters and the view kept
// in the URL, and links to the matching feeds. With "Near me" the agenda is one list,
// nearest first, with distances.
import { baseUrl, get } from "../../lib/api.js";
import { h, link } from "../../lib/dom.js";
import { enumOptions, field, withOption } from "../../lib/forms.js";
import { queries } from "../../lib/limits.js";
import { monthGrid } from "../../lib/monthgrid.js";
import { NEAR_KEYS, nearFields } from "../../lib/nearby.js";
import { organizationOptions } from "../../lib/organizations.js";
import { navigate } from "../../lib/router.js";
import { filterError, filterForm } from "../../lib/search.js";
import { isSignedIn } from "../../lib/state.js";
import { addMonths, clock, dayHeading, dayKey, monthKey, monthTitle, parseMonth, today } from "../../lib/time.js";
import { pageHeading } from "../../lib/ui.js";
import { EVENT_KINDS, eventItem } from "./item.js";

const FEED_FILTERS = ["kind", "organization", "city"];
const FILTERS = [...FEED_FILTERS, ...NEAR_KEYS];
const Q = queries["/v1/events"];
const PAGE = 20;

function filtersForm(f, orgs, view, month) {
  return filterForm({
    id: "event-filters",
    label: "Filter events",
    path: "/events",
    keys: FILTERS,
    fields: [
      field("kind", "Kind", { options: [["", "Any kind"], ...enumOptions(Q.kind.enum, EVENT_KINDS)], value: f.kind }),
      field("organization", "Organization", { options: [["", "Any organization"], ...orgs], value: f.organization }),
      field("city", "City", { value: f.city, maxlength: Q.city.maxLength }),
      ...nearFields(f),
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
  for (const k of FEED_FILTERS) if (f[k]) q.set(k, f[k]);
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
    if (filterQuery.near) {
      // Nearest first: one list, each event with its date and distance.
      agenda.replaceChildren(h("ul", { class: "cards", id: "events-near" }, items.map((ev) => eventItem(ev, { showDate: true }))));
      finish(firstNewId);
      return;
    }
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
    finish(firstNewId);
  }

  function finish(firstNewId) {
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
  // A day of margin either side: each event is placed by its own zone's calendar day.
  const from = new Date(Date.UTC(month.year, month.month - 1, 1) - 2 * 86400000).toISOString().replace(/\.\d{3}Z$/, "Z");
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
    const cancelled = ev.status === "cancelled";
    byDay.get(key).push({ path: `/events/${ev.id}`, text: `${clock(ev.starts_at, ev.timezone)} ${ev.title}${cancelled ? " (cancelled)" : ""}`, cancelled });
  }
  const prev = addMonths(month, -1);
  const next = addMonths(month, 1);
  const qs = (m) => {
    const p = new URLSearchParams(filterQuery);
    p.set("view", "month");
    p.set("month", monthKey(m));
    return `/events?${p}`;
  };
  const focusDay = pendingMonthFocus;
  pendingMonthFocus = null;
  const table = monthGrid({
    id: "month-grid",
    month,
    days: byDay,
    noun: ["event", "events"],
    focusDay,
    onPage: (m, day) => {
      pendingMonthFocus = day;
      navigate(qs(m));
    },
  });
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
