// Organizations as the [slug, name] options of a select: every organization (list
// filters), or the ones the signed-in member may act for (event and collaboration forms).
import { get } from "./api.js";
import { currentMember, isSignedIn, isSiteAdmin, setCurrentMember } from "./state.js";

/** Every organization (the first page of 100) as [slug, name]; [] when they cannot be loaded. */
export async function organizationOptions() {
  try {
    const page = await get("/v1/organizations", { query: { limit: 100 }, quiet: true });
    return page.data.map((o) => [o.slug, o.name]);
  } catch {
    return [];
  }
}

/**
 * The organizations the signed-in member is an admin of, as [slug, name] (every
 * organization for a site admin); [] when nobody is signed in. Loads the member when the
 * app has not yet.
 */
export async function adminOrganizationOptions() {
  if (!isSignedIn()) return [];
  let me = currentMember();
  if (!me) {
    me = await get("/v1/me");
    setCurrentMember(me);
  }
  if (isSiteAdmin()) return organizationOptions();
  return (me.affiliations || []).filter((a) => a.role === "admin").map((a) => [a.slug, a.name]);
}
