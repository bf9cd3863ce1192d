/*
 * <interlibrary-events>: upcoming Interlibrary events for any web page.
 *
 *   <script src="https://app.example.org/embed/interlibrary-events.js" defer></script>
 *   <interlibrary-events api="https://api.example.org" organization="springfield-central"
 *       limit="5" theme="auto">
 *     <a href="https://app.example.org/#/organizations/springfield-central">Upcoming events
 *       at Springfield Central Library</a>
 *   </interlibrary-events>
 *
 * Attributes: api (the API's base URL, required), organization (id or slug,
 * optional), limit (1..20, default 5), theme (light | dark | auto, default
 * auto: follows prefers-color-scheme), heading (optional title text).
 *
 * No dependencies. Everything is drawn in a closed shadow root, so the host
 * page's CSS cannot reach in and the widget's CSS cannot leak out; the light
 * DOM content (a fallback link for readers without JavaScript) stays shown
 * until the events have loaded, and stays if the API cannot be reached.
 * When the events cannot be shown (a bad organization, an API that is down),
 * the element gets a data-error attribute saying why and the console a
 * warning: for the webmaster; readers see the fallback link.
 * Text from the API is only ever set with textContent. The styles are a
 * constructed stylesheet, not a <style> element, so the widget also works on
 * pages whose Content-Security-Policy forbids inline styles (style-src
 * without 'unsafe-inline'), the web app's own demo page included.
 */
(() => {
	"use strict";
	if (typeof customElements === "undefined" || customElements.get("interlibrary-events")) return;

	const CSS = `
:host{all:initial;display:block!important;visibility:visible!important;opacity:1!important;
  contain:content;
  --bg:#fff;--fg:#1d2330;--muted:#5b6475;--line:#dde2ea;--accent:#1f5fbf;--bad:#a3231f;--badbg:#fdecea}
:host([data-theme=dark]){--bg:#161b24;--fg:#e8ecf3;--muted:#a5aec0;--line:#2c3444;--accent:#8ab4ff;
  --bad:#ffb4ab;--badbg:#3b1714}
:host([hidden]){display:none!important}
.w{display:block;background:var(--bg);color:var(--fg);border:1px solid var(--line);border-radius:8px;
  padding:12px 14px;text-align:left;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
h2{font-size:1.05em;margin:0 0 8px;font-weight:650;color:var(--fg)}
ol{list-style:none;margin:0;padding:0;display:block}
li{display:block;padding:8px 0;border-top:1px solid var(--line)}
li:first-child{border-top:0}
h3{font-size:1em;margin:0;font-weight:600;line-height:1.3}
a{color:var(--accent);text-decoration:underline;text-underline-offset:2px}
a:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
p{margin:2px 0 0;color:var(--muted);font-size:.9em}
.x h3 a{text-decoration:line-through}
.tag{display:inline-block;margin-right:6px;padding:0 6px;border-radius:4px;font-size:.8em;
  font-weight:650;color:var(--bad);background:var(--badbg);text-decoration:none}
.m{margin:0;color:var(--muted)}
.more{display:inline-block;margin-top:8px;font-size:.9em}
`;

	const THEMES = ["light", "dark", "auto"];

	// One stylesheet for every widget on the page. A constructed stylesheet is
	// CSSOM, which CSP does not govern; a <style> element in the shadow root is
	// inline style, which a strict style-src blocks. Browsers without
	// constructable stylesheets (before 2023) get the <style> element.
	let SHEET = null;
	try {
		SHEET = new CSSStyleSheet();
		SHEET.replaceSync(CSS);
	} catch (e) {
		SHEET = null;
	}

	class InterlibraryEvents extends HTMLElement {
		static get observedAttributes() { return ["api", "organization", "limit", "theme", "heading"]; }

		constructor() {
			super();
			this._root = this.attachShadow({ mode: "closed" });
			this._gen = 0;
			this._mq = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
			this._onScheme = () => this._theme();
		}

		connectedCallback() {
			if (this._mq && this._mq.addEventListener) this._mq.addEventListener("change", this._onScheme);
			this._theme();
			this._schedule();
		}

		disconnectedCallback() {
			if (this._mq && this._mq.removeEventListener) this._mq.removeEventListener("change", this._onScheme);
			this._gen++;
		}

		// On upgrade the browser calls this once per attribute already set, then
		// connectedCallback: every change of one task is one load (_schedule).
		attributeChangedCallback(name, was, now) {
			if (!this.isConnected || was === now) return;
			if (name === "theme") this._theme();
			else this._schedule();
		}

		// One request for all the changes made in the current task.
		_schedule() {
			if (this._pending) return;
			this._pending = true;
			queueMicrotask(() => {
				this._pending = false;
				if (this.isConnected) this._load();
			});
		}

		// Tell the page's webmaster what went wrong (a console warning and the
		// data-error attribute); readers keep seeing the fallback link.
		_fail(why) {
			this.setAttribute("data-error", why);
			if (typeof console !== "undefined") console.warn(`<interlibrary-events>: ${why}`);
		}

		_theme() {
			let t = (this.getAttribute("theme") || "auto").toLowerCase();
			if (!THEMES.includes(t)) t = "auto";
			if (t === "auto") t = this._mq && this._mq.matches ? "dark" : "light";
			this.setAttribute("data-theme", t);
		}

		// Until the events arrive, the shadow root shows the light DOM (the
		// fallback link) through a slot.
		_fallback() {
			if (SHEET && this._root.adoptedStyleSheets) this._root.adoptedStyleSheets = [];
			this._root.replaceChildren();
			this._root.append(document.createElement("slot"));
		}

		async _load() {
			const gen = ++this._gen;
			this._fallback();
			this.removeAttribute("data-error");
			const api = (this.getAttribute("api") || "").replace(/\/+$/, "");
			if (!/^https?:\/\//i.test(api)) {
				this._fail('the "api" attribute must be the API\'s http(s) address');
				return;
			}
			let limit = parseInt(this.getAttribute("limit") || "5", 10);
			if (!(limit >= 1)) limit = 5;
			limit = Math.min(limit, 20);
			const qs = new URLSearchParams({ limit: String(limit) });
			const org = (this.getAttribute("organization") || "").trim();
			if (org) qs.set("organization", org);
			let data;
			let why = null;
			try {
				const res = await fetch(`${api}/v1/events?${qs}`, {
					headers: { Accept: "application/json" }, credentials: "omit", mode: "cors",
				});
				data = await res.json().catch(() => null);
				if (!res.ok) {
					// A problem+json answer names the bad attribute
					// ("organization: names no organization").
					const bad = data && Array.isArray(data.errors) && data.errors[0];
					why = bad && bad.field === "organization" ?
					    `no organization "${org}" (check the "organization" attribute)` :
					    `the API answered ${res.status}${data && data.detail ? `: ${data.detail}` : ""}`;
				}
			} catch (e) {
				why = `the API at ${api} cannot be reached`;
			}
			if (gen !== this._gen) return;
			if (!why && (!data || !Array.isArray(data.data))) why = "the API's answer is not an events list";
			if (why) {
				this._fail(why);	// the fallback link stays
				return;
			}
			this._render(data.data, org);
		}

		_render(events, org) {
			const el = (tag, attrs, text) => {
				const n = document.createElement(tag);
				for (const k in attrs || {}) n.setAttribute(k, attrs[k]);
				if (text != null) n.textContent = text;
				return n;
			};
			const link = this.querySelector("a[href]");
			const web = link ? link.href : null;
			const base = web ? web.split("#")[0] : null;
			const box = el("section", { class: "w", part: "container" });
			const orgName = events.length && events[0].organization && org ? events[0].organization.name : "";
			const title = this.getAttribute("heading") ||
			    (orgName ? `Upcoming events at ${orgName}` : "Upcoming events");
			const hid = "h";
			box.setAttribute("aria-labelledby", hid);
			box.append(el("h2", { id: hid }, title));
			if (!events.length) {
				box.append(el("p", { class: "m" }, "No upcoming events."));
			} else {
				const ol = el("ol");
				for (const e of events) ol.append(this._item(e, base, el));
				box.append(ol);
			}
			if (web) box.append(el("a", { class: "more", href: web }, link.textContent.trim() || "All events"));
			if (SHEET && this._root.adoptedStyleSheets) {
				this._root.adoptedStyleSheets = [SHEET];
				this._root.replaceChildren(box);
			} else {
				this._root.replaceChildren(el("style", null, CSS), box);
			}
		}

		_item(e, base, el) {
			const cancelled = e.status === "cancelled";
			const li = el("li", cancelled ? { class: "x" } : null);
			const h = el("h3");
			if (cancelled) h.append(el("span", { class: "tag" }, "Cancelled"));
			const url = base ? `${base}#/events/${encodeURIComponent(e.id)}` : null;
			const name = url ? el("a", { href: url }, e.title) : el("span", null, e.title);
			if (cancelled) name.setAttribute("aria-label", `Cancelled: ${e.title}`);
			h.append(name);
			li.append(h);
			const p = el("p");
			const start = new Date(e.starts_at);
			let when = e.starts_at;
			try {
				when = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short",
				    timeZone: e.timezone || undefined }).format(start);
			} catch (err) {
				when = start.toLocaleString();
			}
			p.append(el("time", { datetime: e.starts_at }, when));
			const where = [e.venue, e.city].filter(Boolean).join(", ") || (e.online_url ? "Online" : "");
			if (where) p.append(document.createTextNode(` · ${where}`));
			li.append(p);
			return li;
		}
	}

	customElements.define("interlibrary-events", InterlibraryEvents);
})();
