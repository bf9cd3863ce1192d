// Nearby: the "Near me" filter of the lists that can be ordered by distance (events,
// organizations, the member directory, mentor suggestions), how a distance is shown, and
// the latitude/longitude fields of the forms. Positions are typed in degrees: there is no
// geocoding service (README: Nearby). Distances to members are only ever bands.
import { h } from "./dom.js";
import { field, withOption } from "./forms.js";
import { parameters } from "./limits.js";
import { isSignedIn } from "./state.js";

/** The query keys of the filter. */
export const NEAR_KEYS = ["near", "within_km"];

const W = parameters.WithinKm;
const RADII = [5, 10, 20, 50, 100, 500].filter((n) => n >= W.minimum && n <= W.maximum);

const BANDS = {
  under_5_km: "Under 5 km away",
  "5_to_20_km": "5 to 20 km away",
  over_20_km: "Over 20 km away",
};

/**
 * The "Near me" fields for the values in f ({ near, within_km }): where from (my library,
 * my home area, or a point already in the URL as "latitude,longitude") and how far.
 * `home`: offer the home area (signed-in lists only).
 */
export function nearFields(f, { home = true } = {}) {
  const places = [["", "Anywhere"]];
  if (isSignedIn()) {
    places.push(["my_library", "Near my library"]);
    if (home) places.push(["my_home", "Near my home area"]);
  }
  withOption(places, f.near, `Near ${f.near}`);
  const radii = withOption(
    RADII.map((n) => [n === 50 ? "" : String(n), `Within ${n} km`]),
    f.within_km,
    `Within ${f.within_km} km`,
  );
  return [
    field("near", "Near me", { options: places, value: f.near, hint: "Nearest first, with the distance." }),
    field("within_km", "Distance", { options: radii, value: f.within_km }),
  ];
}

/** "3.2 km away" for a distance_km, "Under 5 km away" for a member's band; null otherwise. */
export function distanceLabel(x) {
  if (typeof x?.distance_km === "number") return `${x.distance_km.toFixed(1)} km away`;
  if (x?.distance_band) return BANDS[x.distance_band] || x.distance_band;
  return null;
}

/** "39.8012, -89.6432" for a position (latitude, longitude), or null when it has none. */
export function positionText(x, lat = "latitude", lon = "longitude") {
  return typeof x?.[lat] === "number" && typeof x?.[lon] === "number" ? `${x[lat].toFixed(4)}, ${x[lon].toFixed(4)}` : null;
}

/** The distance of x as a pill for a card, or null. */
export function distancePill(x) {
  const text = distanceLabel(x);
  return text ? h("span", { class: "pill pill-distance" }, text) : null;
}

/**
 * Latitude and longitude fields (names lat and lon, limits from the contract's L and G),
 * side by side, with their values.
 */
export function positionFields(lat, lon, L, G, values = {}, hint = "In degrees, like 39.80 and -89.64 (a map application shows them for any place). Leave both empty for none.") {
  const num = (name, label, limits, v) =>
    field(name, label, {
      type: "number",
      value: v === null || v === undefined ? "" : String(v),
      min: limits.minimum,
      max: limits.maximum,
      step: "any",
      inputmode: "decimal",
    });
  return h(
    "fieldset",
    { class: "group position" },
    h("legend", {}, "Position"),
    h("p", { class: "hint" }, hint),
    h("div", { class: "field-row" }, num(lat, "Latitude", L, values[lat]), num(lon, "Longitude", G, values[lon])),
  );
}

/** The numbers typed in the position fields lat and lon of form (null when empty). */
export function positionValues(form, lat, lon) {
  const read = (name) => {
    const s = form.elements[name].value.trim();
    return s === "" ? null : Number(s);
  };
  return { [lat]: read(lat), [lon]: read(lon) };
}
