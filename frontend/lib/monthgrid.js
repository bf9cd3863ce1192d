// A month as a keyboard-navigable grid (the WAI-ARIA grid pattern: one tab stop, roving
// tabindex). Arrow keys move by a day or a week, Home and End to the ends of the week,
// Enter from a day to its first link, Page Up and Page Down ask for the month before or
// after (the caller shows it: onPage). Each day lists its links and says how many there
// are to screen readers.
import { h, link, uid } from "./dom.js";
import { addMonths, dayHeading, monthKey, monthTitle, today } from "./time.js";

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

const pad2 = (n) => String(n).padStart(2, "0");

/**
 * The <table role="grid"> of a month.
 *   month     { year, month } (month 1..12)
 *   days      Map "YYYY-MM-DD" -> [{ path, text, cancelled }]: the links of each day (route
 *             paths; cancelled ones get the "cancelled" class)
 *   id        the table's id
 *   noun      [singular, plural] for the days' labels ("3 events", "no events")
 *   focusDay  "YYYY-MM-DD" to focus once the table is in the page (after a Page Up or
 *             Down), or null to leave focus alone
 *   onPage(month, day)  Page Up / Page Down: the month to show, and the day of it to focus
 *             (the same day number, or the month's last day)
 * The tab stop starts on focusDay, else today, else the first day with links, else the 1st.
 */
export function monthGrid({ month, days: entries, id, noun = ["item", "items"], focusDay = null, onPage }) {
  const first = new Date(Date.UTC(month.year, month.month - 1, 1));
  const daysIn = new Date(Date.UTC(month.year, month.month, 0)).getUTCDate();
  const mk = monthKey(month);
  const captionId = uid("month");
  const lead = first.getUTCDay();
  const cells = [];
  for (let i = 0; i < lead; i += 1) cells.push(h("td", { class: "pad" }));
  const todayKey = today();
  for (let d = 1; d <= daysIn; d += 1) {
    const key = `${mk}-${pad2(d)}`;
    const items = entries.get(key) || [];
    const label = `${dayHeading(key)}${items.length ? `, ${items.length} ${items.length === 1 ? noun[0] : noun[1]}` : `, no ${noun[1]}`}`;
    cells.push(
      h(
        "td",
        { class: `day${items.length ? " has-events" : ""}${key === todayKey ? " today" : ""}`, tabindex: "-1", dataset: { day: key } },
        h("span", { class: "day-num" }, h("span", { "aria-hidden": "true" }, String(d)), h("span", { class: "visually-hidden" }, label)),
        items.length
          ? h(
              "ul",
              { class: "day-events" },
              items.map((item) => h("li", { class: item.cancelled ? "cancelled" : null }, link(item.path, item.text, { tabindex: "-1" }))),
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
    { class: "month-grid", role: "grid", "aria-labelledby": captionId, id },
    h("caption", { id: captionId }, monthTitle(month)),
    h("thead", {}, h("tr", {}, WEEKDAYS.map((w) => h("th", { scope: "col", abbr: w }, h("span", { "aria-hidden": "true" }, w.slice(0, 3)), h("span", { class: "visually-hidden" }, w))))),
    h("tbody", {}, rows),
  );
  const days = [...table.querySelectorAll("td.day")];
  const initial =
    (focusDay && days.find((c) => c.dataset.day === focusDay)) ||
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
        const m = addMonths(month, e.key === "PageUp" ? -1 : 1);
        const dim = new Date(Date.UTC(m.year, m.month, 0)).getUTCDate();
        onPage(m, `${monthKey(m)}-${pad2(Math.min(i + 1, dim))}`);
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
  if (focusDay) setTimeout(() => initial.isConnected && initial.focus(), 0);
  return table;
}
