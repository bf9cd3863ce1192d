// The "Repeats" part of the new-event form: never, weekly on chosen days, monthly on the
// Nth weekday or on the date of the first start, until a date or a number of times. It
// writes the RRULE value the API takes as `recurrence` (the API expands it in the event's
// time zone and refuses, naming the part, what it does not support).
import { h, link } from "../../lib/dom.js";
import { field, value } from "../../lib/forms.js";
import { bodies } from "../../lib/limits.js";

const DAYS = [
  ["MO", "Mon"],
  ["TU", "Tue"],
  ["WE", "Wed"],
  ["TH", "Thu"],
  ["FR", "Fri"],
  ["SA", "Sat"],
  ["SU", "Sun"],
];
// Which events of a series an edit or a cancellation is for (the API's PATCH ?scope=).
export const SCOPES = [
  ["this", "This event", "Only this date."],
  ["following", "This and following events", "This date and every later one."],
  ["all", "All events in the series", "Every date still to come that was not changed on its own."],
];

// COUNT's bound and the years a rule may reach, from the contract (openapi.yaml's
// x-count-maximum and x-years-maximum on EventCreate's recurrence, compared with the API's
// C constants by tests/contract/): checked here before sending.
const COUNT_MAX = bodies.EventCreate.recurrence.countMaximum;
const YEARS_MAX = bodies.EventCreate.recurrence.yearsMaximum;

// The weekday code and the "Nth weekday of the month" of a local "YYYY-MM-DDTHH:MM" start:
// { day: "TU", nth: 2 } (nth -1 for a fifth one, which not every month has).
function startParts(local) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(local || "");
  if (!m) return null;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  const nth = Math.ceil(Number(m[3]) / 7);
  return { day: DAYS[(date.getUTCDay() + 6) % 7][0], nth: nth > 4 ? -1 : nth, date: Number(m[3]) };
}

export function repeatsFieldset() {
  const days = h(
    "fieldset",
    { class: "repeat-days", "data-repeat": "weekly" },
    h("legend", {}, "On"),
    DAYS.map(([code, label]) => field(`repeat_day_${code}`, label, { type: "checkbox" })),
  );
  const box = h(
    "fieldset",
    { class: "group", id: "repeat-fields" },
    h("legend", {}, "Repeats"),
    field("repeat", "Repeats", {
      options: [
        ["", "Never"],
        ["weekly", "Weekly"],
        ["monthly_day", "Monthly on the same weekday (e.g. the second Tuesday)"],
        ["monthly_date", "Monthly on the same date"],
      ],
      value: "",
      hint: "Every occurrence is an event of its own, at the same local time.",
    }),
    days,
    h(
      "div",
      { class: "field-row", "data-repeat": "any" },
      field("repeat_end", "Stops", {
        options: [
          ["count", "After a number of times"],
          ["until", "On a date"],
        ],
        value: "count",
      }),
      field("repeat_count", "Number of times", { type: "number", inputmode: "numeric", value: "10", hint: `1 to ${COUNT_MAX}, within ${YEARS_MAX === 1 ? "a year" : `${YEARS_MAX} years`}.` }),
      field("repeat_until", "Last date", { type: "date" }),
    ),
  );
  const sync = () => {
    const kind = box.querySelector("select[name=repeat]").value;
    const end = box.querySelector("select[name=repeat_end]").value;
    for (const el of box.querySelectorAll("[data-repeat]")) {
      el.hidden = !kind || (el.dataset.repeat !== "any" && el.dataset.repeat !== kind);
    }
    box.querySelector("input[name=repeat_count]").closest(".field").hidden = !kind || end !== "count";
    box.querySelector("input[name=repeat_until]").closest(".field").hidden = !kind || end !== "until";
  };
  box.addEventListener("change", sync);
  sync();
  return box;
}

// The RRULE value of the form's "Repeats" choice for a start typed as startsLocal
// ("YYYY-MM-DDTHH:MM"), or null for a single event. Errors go to errors as
// { field, message }.
export function repeatsRule(form, startsLocal, errors) {
  const kind = value(form, "repeat");
  if (!kind) return null;
  const start = startParts(startsLocal);
  if (!start) return null;
  const parts = [];
  if (kind === "weekly") {
    const chosen = DAYS.map(([code]) => code).filter((code) => value(form, `repeat_day_${code}`));
    parts.push("FREQ=WEEKLY", `BYDAY=${(chosen.length ? chosen : [start.day]).join(",")}`);
  } else if (kind === "monthly_day") {
    parts.push("FREQ=MONTHLY", `BYDAY=${start.nth}${start.day}`);
  } else {
    parts.push("FREQ=MONTHLY", `BYMONTHDAY=${start.date}`);
  }
  if (value(form, "repeat_end") === "until") {
    const until = value(form, "repeat_until");
    if (!/^\d{4}-\d{2}-\d{2}$/.test(until)) errors.push({ field: "repeat_until", message: "is required: the date of the last one" });
    else parts.push(`UNTIL=${until.replace(/-/g, "")}`);
  } else {
    const n = value(form, "repeat_count");
    if (!/^\d+$/.test(n) || Number(n) < 1 || Number(n) > COUNT_MAX) errors.push({ field: "repeat_count", message: `must be 1 to ${COUNT_MAX}` });
    else parts.push(`COUNT=${Number(n)}`);
  }
  return parts.join(";");
}


// The rule of an event's series in words, with its next occurrences: "Repeats: Every
// second Tuesday at 6:00 PM, 10 times. Next: 12 Jan, 9 Feb, ..." (links to each).
export function seriesNote(series, ev) {
  const next = series.occurrences.filter((o) => o.id !== ev.id).slice(0, 4);
  const day = (o) => new Date(o.starts_at).toLocaleDateString(undefined, { day: "numeric", month: "short", timeZone: o.timezone });
  return h(
    "p",
    { class: "notice notice-info series-note", id: "series-note" },
    h("strong", {}, "Repeats: "),
    `${series.rule_text}.`,
    next.length ? [" Other dates: ", next.map((o, i) => [i ? ", " : "", link(`/events/${o.id}`, day(o))])] : null,
  );
}
