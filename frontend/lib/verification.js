// The member's email address and its verification: the "Send the verification email
// again" button (POST /v1/me/email-verification) with its own live region, and the notice
// that reminds a signed-in member whose address is not verified yet (on their profile and
// notifications; dismissed for the rest of the tab's session).
import { ApiError, get, post } from "./api.js";
import { h, link, replace, time } from "./dom.js";
import { currentMember, isSignedIn, setCurrentMember } from "./state.js";
import { sentence, waitText } from "./ui.js";

const DISMISSED_KEY = "il.verify-notice-dismissed";

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** GET /v1/me again, so the app knows the address is now verified. */
export async function refreshMember() {
  try {
    setCurrentMember(await get("/v1/me", { quiet: true }));
  } catch {
    // The views show their own errors; this is only a refresh.
  }
}

/**
 * The resend button and the live region where its result appears: 202 "Sent to …",
 * 429 how long to wait, 409 already verified (then onVerified()) or the address refused.
 * Returns { element } (both), or { button, result } to place them apart.
 */
export function resendVerification({ onVerified = () => {}, id = "resend-verification" } = {}) {
  const result = h("div", { class: "resend-result", id: `${id}-result`, role: "status" });
  const button = h("button", { type: "button", class: "button secondary", id }, "Send the verification email again");
  const say = (kind, ...text) => replace(result, h("p", { class: `notice notice-${kind}` }, ...text));
  let sending = false;
  button.addEventListener("click", async () => {
    // aria-disabled, not disabled: the button keeps the focus while the request runs.
    if (sending) return;
    sending = true;
    button.setAttribute("aria-disabled", "true");
    result.replaceChildren();
    try {
      const sent = await post("/v1/me/email-verification");
      say("ok", `Sent to ${sent.email}. Open the link in it to confirm your address; it works until `, time(sent.expires_at), ".");
    } catch (err) {
      if (err instanceof ApiError && err.handled) return;
      if (err instanceof ApiError && err.status === 429) {
        say("warn", `${sentence(err.message)} You can ask again ${waitText(err.retryAfter)}.`);
      } else if (err instanceof ApiError && err.code === "already_verified") {
        say("ok", "Your address is already verified.");
        await refreshMember();
        onVerified();
      } else if (err instanceof ApiError) {
        say("error", sentence(err.message));
      } else {
        console.error(err);
        say("error", "Something went wrong. Please try again.");
      }
    } finally {
      sending = false;
      button.removeAttribute("aria-disabled");
    }
  });
  return { element: h("div", { class: "resend" }, button, result), button, result };
}

/**
 * The notice for a signed-in member whose address is not verified, or null (verified,
 * signed out, or dismissed in this tab).
 */
export function verifyNotice() {
  const me = currentMember();
  if (!isSignedIn() || !me || me.email_verified !== false) return null;
  if (storage()?.getItem(DISMISSED_KEY) === String(me.id)) return null;
  const body = h(
    "div",
    { class: "verify-notice-body" },
    h(
      "p",
      {},
      "We sent a link to ",
      h("strong", {}, me.email),
      " when you registered. Until you open it, Interlibrary sends you no email except password-reset links.",
    ),
  );
  const box = h(
    "section",
    { class: "notice notice-warn verify-notice", id: "verify-notice", "aria-labelledby": "verify-notice-title" },
    h("h2", { id: "verify-notice-title" }, "Please confirm your email address"),
    body,
  );
  const resend = resendVerification({
    id: "verify-notice-resend",
    onVerified: () => {
      // Verified meanwhile (another tab, another device): say so, and keep only "Close".
      box.className = "notice notice-ok verify-notice";
      replace(box.querySelector("h2"), "Your email address is verified");
      body.querySelector("p").remove();
      resend.button.remove();
      replace(dismiss, "Close");
      dismiss.removeAttribute("aria-label");
      dismiss.focus();
    },
  });
  const dismiss = h("button", { type: "button", class: "button secondary small", id: "verify-notice-dismiss" }, "Not now");
  dismiss.setAttribute("aria-label", "Not now: hide this reminder in this browser tab");
  dismiss.addEventListener("click", () => {
    storage()?.setItem(DISMISSED_KEY, String(me.id));
    const heading = document.querySelector("#view h1");
    box.remove();
    heading?.focus();
  });
  body.append(h("div", { class: "actions" }, resend.button, dismiss), resend.result, h("p", { class: "small" }, link("/me/email", "Your email settings")));
  return box;
}
