// Small inline SVG charts (built with createElementNS: no markup strings), each with an
// accessible name and description, and a visible text alternative next to it.
import { h, uid } from "./dom.js";

const NS = "http://www.w3.org/2000/svg";

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== null && v !== undefined && v !== false) el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/**
 * Pledged-versus-attended turnout of an advocacy event: two horizontal bars.
 * attended is null before the event starts. Returns a <figure> holding the SVG
 * (role="img", named by its <title>, described by <desc>) and the same facts as text.
 */
export function turnoutChart({ pledged, attended }) {
  const p = Number(pledged) || 0;
  const started = attended !== null && attended !== undefined;
  const a = started ? Number(attended) || 0 : 0;
  const max = Math.max(p, a, 1);
  const titleId = uid("chart-title");
  const descId = uid("chart-desc");
  let summary;
  if (!started) {
    summary = `${p} ${p === 1 ? "person has" : "people have"} pledged to attend. Attendance is recorded once the event starts.`;
  } else {
    const pct = p > 0 ? ` (${Math.round((a / p) * 100)}% of pledges)` : "";
    summary = `${p} pledged to attend; ${a} attended${pct}.`;
  }
  const W = 320;
  const labelW = 78;
  const barMax = W - labelW - 48;
  const rows = [
    ["Pledged", p, "bar-pledged"],
    ["Attended", started ? a : null, "bar-attended"],
  ];
  const svg = s(
    "svg",
    { class: "chart", viewBox: `0 0 ${W} 76`, width: "100%", role: "img", "aria-labelledby": titleId, "aria-describedby": descId, focusable: "false" },
    s("title", { id: titleId }, "Turnout: pledged versus attended"),
    s("desc", { id: descId }, summary),
    rows.map(([label, value, cls], i) => {
      const y = 8 + i * 34;
      const w = value === null ? 0 : Math.max(value > 0 ? 3 : 0, Math.round((value / max) * barMax));
      return s(
        "g",
        {},
        s("text", { x: 0, y: y + 17, class: "chart-label" }, label),
        s("rect", { x: labelW, y, width: barMax, height: 24, class: "bar-track", rx: 3 }),
        s("rect", { x: labelW, y, width: w, height: 24, class: cls, rx: 3 }),
        s("text", { x: labelW + w + 6, y: y + 17, class: "chart-value" }, value === null ? "not yet" : String(value)),
      );
    }),
  );
  return h("figure", { class: "turnout" }, svg, h("figcaption", { class: "turnout-text" }, summary));
}
