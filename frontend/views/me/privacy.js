// Privacy (#/me/privacy): who sees each part of my profile, and who may invite me to
// events or message me. Saved with the version the page was made from (If-Match), like the profile.
import { patch } from "../../lib/api.js";
import { h } from "../../lib/dom.js";
import { draftNotice, dropDraft, enumOptions, formAlert, keepDraft, onSubmit, radioGroup, rebaseDraft, submit, value } from "../../lib/forms.js";
import { enums } from "../../lib/limits.js";
import { setCurrentMember } from "../../lib/state.js";
import { announce, pageHeading } from "../../lib/ui.js";
import { loadMe, tabs } from "./account.js";

const WHO = enumOptions(enums.Visibility, {
  public: ["Everyone", "Anyone, including people who are not signed in."],
  members: ["Members", "Only people signed in to Interlibrary."],
  private: ["Only me", "Nobody else sees it."],
});

const INVITES = enumOptions(enums.InvitationPolicy, {
  anyone: ["Anyone", "Any member may invite you to events or write to you."],
  met: ["People I have met", "Only members you went to an event with, once the event has ended."],
  organizations: ["People in my organizations", "Only members of the organizations you belong to. This is the default."],
  nobody: ["Nobody", "Nobody can invite you or start a conversation with you. You can still find events and join them yourself."],
});

export async function privacyView() {
  const me = await loadMe();
  let version = me.version;
  const vis = me.visibility || {};
  const form = h(
    "form",
    { class: "form", novalidate: true, id: "privacy-form" },
    formAlert(),
    h(
      "p",
      { class: "hint" },
      "Your name is always visible to signed-in members, and to everyone when \u201cAbout you\u201d is visible to everyone. Your email is never shown to anyone.",
    ),
    radioGroup("visibility.about", "Who can see \u201cAbout you\u201d", WHO, vis.about, {
      hint: "Your pronouns, job title, bio, city, skills and interests.",
    }),
    radioGroup("visibility.affiliations", "Who can see your organizations", WHO, vis.affiliations, {
      hint: "The libraries and associations you are an active member of.",
    }),
    radioGroup("visibility.mentoring", "Who can see your mentoring offer", WHO, vis.mentoring, {
      hint: "Whether you are available as a mentor, your topics and how many mentees you take.",
    }),
    radioGroup("invitations", "Who can invite you to events or message you", INVITES, me.invitations, {
      hint: "Invitations always say why you received them. People you mentor or work with on a collaboration can always write to you, and replies are always possible; block someone to stop them. You can report unwanted invitations and messages.",
    }),
    h("div", { class: "actions" }, submit("Save privacy settings")),
  );
  keepDraft(form, "me-privacy");
  onSubmit(form, async () => {
    const updated = await patch("/v1/me", {
      visibility: {
        about: value(form, "visibility.about") || null,
        affiliations: value(form, "visibility.affiliations") || null,
        mentoring: value(form, "visibility.mentoring") || null,
      },
      invitations: value(form, "invitations") || null,
    }, { version });
    version = updated.version;
    dropDraft("me-privacy");
    rebaseDraft(form);
    setCurrentMember(updated);
    form.querySelector("#draft-restored")?.remove();
    announce("Your privacy settings were saved.");
  });
  return h("section", { class: "page" }, pageHeading("Privacy"), tabs(), draftNotice(form), form);
}
