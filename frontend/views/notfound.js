import { h } from "../lib/dom.js";

export function notFoundView() {
  return h(
    "section",
    { class: "page" },
    h("h1", { tabindex: "-1" }, "Page not found"),
    h("p", {}, "There is nothing here, or you may not see it. It may have been removed."),
    h("p", {}, h("a", { href: "#/" }, "Go to the home page")),
  );
}
