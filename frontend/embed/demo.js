// The widget demo page (index.html), run where it stands in the page: after the demo
// widgets, before interlibrary-events.js (deferred) draws them. A file, not inline
// <script>: the web app's Content-Security-Policy allows scripts from its own origin only.
// The demo talks to this deployment's API (config.js); a real page names it in "api".
const api = (window.INTERLIBRARY_CONFIG && window.INTERLIBRARY_CONFIG.apiBase) || "http://127.0.0.1:8080";
for (const el of document.querySelectorAll("interlibrary-events")) el.setAttribute("api", api);
const here = new URL("interlibrary-events.js", location.href).href;
const app = new URL("../", location.href).href;
document.querySelector("#snippet code").textContent =
  document.querySelector("#snippet code").textContent
    .replace("https://app.example.org/embed/interlibrary-events.js", here)
    .replace("https://api.example.org", api)
    .replaceAll("https://app.example.org/", app);
