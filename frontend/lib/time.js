// Time zones for events: every event is shown in its own IANA time zone with
// Intl.DateTimeFormat, grouped by its local day, and the event form turns the wall-clock
// time typed for a zone into the UTC instant the API stores (and back).
import { h } from "./dom.js";

const partsCache = new Map();

function partsFormatter(timeZone) {
  let f = partsCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    partsCache.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows the IANA zone. */
export function validZone(timeZone) {
  try {
    partsFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

function zoneOr(timeZone) {
  return timeZone && validZone(timeZone) ? timeZone : "UTC";
}

/** {year, month, day, hour, minute, second} of `date` on the wall clock of `timeZone`. */
export function wallParts(date, timeZone) {
  const out = {};
  for (const p of partsFormatter(zoneOr(timeZone)).formatToParts(date)) {
    if (p.type !== "literal") out[p.type] = Number(p.value);
  }
  if (out.hour === 24) out.hour = 0;
  return out;
}

const pad = (n, w = 2) => String(n).padStart(w, "0");

/** "2026-12-03": the local day of an instant in a zone (agenda and month grouping). */
export function dayKey(iso, timeZone) {
  const p = wallParts(new Date(iso), timeZone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** "2026-12-03T18:30": an instant as a datetime-local value in a zone. */
export function toLocalInput(iso, timeZone) {
  if (!iso) return "";
  const p = wallParts(new Date(iso), timeZone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** Milliseconds the zone is ahead of UTC at `ms`. */
function offsetAt(ms, timeZone) {
  const p = wallParts(new Date(ms), timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * A datetime-local value ("2026-12-03T18:30") read on the wall clock of `timeZone`, as an
 * RFC 3339 UTC string; null when the value is empty or malformed. A time skipped by a
 * daylight-saving change resolves to the instant just after the gap.
 */
export function fromLocalInput(value, timeZone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(String(value || ""));
  if (!m) return null;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
  const zone = zoneOr(timeZone);
  let guess = wall - offsetAt(wall, zone);
  const second = wall - offsetAt(guess, zone);
  if (second !== guess) guess = Math.max(guess, second);
  return new Date(guess).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The browser's own zone (the default for a new event). */
export function localZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

const FALLBACK_ZONES = [
  "UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
  "America/Anchorage", "Pacific/Honolulu", "America/Toronto", "America/Vancouver",
  "Europe/London", "Europe/Dublin", "Europe/Paris", "Europe/Berlin", "Europe/Madrid",
  "Europe/Rome", "Europe/Warsaw", "Europe/Helsinki", "Africa/Johannesburg", "Asia/Kolkata",
  "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland",
];

/** Every IANA zone the browser knows, for the event form's select. */
export function zoneList(extra) {
  let zones;
  try {
    zones = Intl.supportedValuesOf("timeZone");
  } catch {
    zones = FALLBACK_ZONES;
  }
  const set = new Set(zones);
  set.add("UTC");
  if (extra) set.add(extra);
  return [...set].sort();
}

function fmt(timeZone, opts) {
  try {
    return new Intl.DateTimeFormat("en", { ...opts, timeZone: zoneOr(timeZone) });
  } catch {
    return new Intl.DateTimeFormat("en", opts);
  }
}

/** "Thursday, December 3, 2026" for a day key. */
export function dayHeading(key) {
  const [y, m, d] = key.split("-").map(Number);
  return fmt("UTC", { weekday: "long", year: "numeric", month: "long", day: "numeric" }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** "6:30 PM" in the zone. */
export function clock(iso, timeZone) {
  return fmt(timeZone, { hour: "numeric", minute: "2-digit" }).format(new Date(iso));
}

/** A short zone name at that instant ("CST", "GMT+1"). */
export function zoneAbbr(iso, timeZone) {
  const part = fmt(timeZone, { timeZoneName: "short" })
    .formatToParts(new Date(iso))
    .find((p) => p.type === "timeZoneName");
  return part ? part.value : timeZone;
}

/**
 * "Thu, Dec 3, 2026, 6:30 PM – 8:00 PM CST" (or with both dates when the event spans
 * days), as a <time> element, in the event's zone.
 */
export function eventWhen(ev) {
  const zone = zoneOr(ev.timezone);
  const date = fmt(zone, { weekday: "short", year: "numeric", month: "short", day: "numeric" });
  const sameDay = dayKey(ev.starts_at, zone) === dayKey(ev.ends_at, zone);
  const start = `${date.format(new Date(ev.starts_at))}, ${clock(ev.starts_at, zone)}`;
  const end = sameDay ? clock(ev.ends_at, zone) : `${date.format(new Date(ev.ends_at))}, ${clock(ev.ends_at, zone)}`;
  return h("time", { datetime: ev.starts_at }, `${start} – ${end} ${zoneAbbr(ev.starts_at, zone)}`);
}

/** The same start time for the reader, when their zone differs from the event's. */
export function readerWhen(ev) {
  const mine = localZone();
  if (!ev.timezone || mine === ev.timezone) return null;
  if (zoneAbbr(ev.starts_at, mine) === zoneAbbr(ev.starts_at, ev.timezone) && dayKey(ev.starts_at, mine) === dayKey(ev.starts_at, ev.timezone)) return null;
  const text = fmt(mine, { weekday: "short", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short" }).format(new Date(ev.starts_at));
  return `${text} where you are`;
}

/** "2026-12" -> {year, month}; null when malformed. */
export function parseMonth(text) {
  const m = /^(\d{4})-(\d{2})$/.exec(String(text || ""));
  if (!m || +m[2] < 1 || +m[2] > 12) return null;
  return { year: +m[1], month: +m[2] };
}

export function monthKey({ year, month }) {
  return `${pad(year, 4)}-${pad(month)}`;
}

export function addMonths({ year, month }, n) {
  const idx = year * 12 + (month - 1) + n;
  return { year: Math.floor(idx / 12), month: (idx % 12) + 1 };
}

export function monthTitle({ year, month }) {
  return fmt("UTC", { month: "long", year: "numeric" }).format(new Date(Date.UTC(year, month - 1, 1)));
}

/** Today's day key and month in the reader's zone. */
export function today() {
  return dayKey(new Date().toISOString(), localZone());
}
