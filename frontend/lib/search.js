// Search pages: a filter form whose fields go in the route's query string (so a search can
// be bookmarked and shared), and its results as cards with "Load more".
import { ApiError, get } from "./api.js";
import { h, link } from "./dom.js";
import { formAlert, showFormError, submit } from "./forms.js";
import { navigate } from "./router.js";
import { loadMore, pageHeading, showError } from "./ui.js";

/**
 * A search form (role=search) over the list at `path`: submitting goes to `path` with the
 * trimmed, non-empty values of the `keys` fields as the query string, after the `first`
 * parameters. A checkbox counts when ticked, with its value from `checked`
 * ({ mentoring: "available" }). Its "Clear filters" link goes to `clear`.
 *   filterForm({ id, label, path, keys, fields, submitLabel, clear, first, checked })
 */
export function filterForm({ id, label, path, keys, fields, submitLabel = "Search", clear = path, first = {}, checked = {} }) {
  const form = h(
    "form",
    { class: "form filters", role: "search", "aria-label": label, id, novalidate: true },
    formAlert(),
    h("div", { class: "filter-grid" }, fields),
    h("div", { class: "actions" }, submit(submitLabel), link(clear, "Clear filters", { class: "button secondary" })),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams(first);
    for (const k of keys) {
      const el = form.elements.namedItem(k);
      const v = el.type === "checkbox" ? (el.checked ? checked[k] : "") : el.value.trim();
      if (v) params.set(k, v);
    }
    const qs = params.toString();
    navigate(qs ? `${path}?${qs}` : path);
  });
  return form;
}

/** The onError of a filtered list: a 400 (a bad filter) shows on the form, the rest on the page. */
export function filterError(form) {
  return (err) => (err instanceof ApiError && err.status === 400 ? showFormError(form, err) : showError(err));
}

/**
 * A search over a list of the API: the form (#<id>-filters, "Search <noun>") and its
 * results (#<id>-results: cards with "Load more"), which are in when this resolves.
 *   query     the route's query: the filters' current values, for the keys in `keys`
 *   fields(f) the form's fields, given those values ({ q: "ada", city: "" })
 *   api       the list to GET, with apiQuery(f) (f itself by default), limit and cursor
 *   path, checked, renderItem   as for filterForm() and loadMore()
 * Resolves to { form, results } (results: an array of nodes).
 */
export async function search(query, { noun, id, path, keys, fields, checked, api, apiQuery = (f) => f, renderItem }) {
  const f = Object.fromEntries(keys.map((k) => [k, query.get(k) || ""]));
  const form = filterForm({ id: `${id}-filters`, label: `Search ${noun}`, path, keys, fields: fields(f), checked });
  const list = h("ul", { class: "cards grid", id: `${id}-results`, "aria-label": noun.charAt(0).toUpperCase() + noun.slice(1) });
  const pager = loadMore({
    list,
    noun,
    emptyText: `No ${noun} match these filters.`,
    fetchPage: (cursor) => get(api, { query: { ...apiQuery(f), limit: 20, cursor } }),
    renderItem,
    onError: filterError(form),
  });
  await pager.start();
  return { form, results: [list, pager.element] };
}

/**
 * A page that is one search: its heading (with `action` beside it), an introduction, the
 * form and the results. The other options are search()'s.
 */
export async function searchPage(query, { title, action = null, intro, ...options }) {
  const { form, results } = await search(query, options);
  return h(
    "section",
    { class: "page" },
    pageHeading(title, action),
    h("p", { class: "muted" }, intro),
    form,
    h("h2", { class: "visually-hidden" }, "Results"),
    results,
  );
}
