// Accepting an invitation, with a new account or an existing one (N5, C1, C2).
import {
  api, call, field, form, h, home, newPassword, opened, roleName, state, t,
} from "./core.js";
import { signedIn } from "./sign-in.js";

/** N5: where invitations come with a temporary password by SMS, accepting (and joining, C2) needs it too. */
const temporaryPasswordField = () => (state.config.invitations?.mobile
  ? field({ name: "temporary_password", label: t("temporary_password"), type: "password", autocomplete: "off", hint: t("temporary_password_hint") })
  : null);

export function acceptView(code = opened.get("code") ?? "") {
  return form({
    title: t("accept_title"),
    intro: t("accept_intro"),
    fields: [
      field({ name: "code", label: t("invitation_code"), value: code, autocomplete: "off" }),
      field({ name: "email", label: t("invited_email"), type: "email", autocomplete: "username" }),
      temporaryPasswordField(),
      newPassword("password", t("choose_password")),
    ],
    button: t("accept"),
    submit: async (values) => {
      const answer = await api("POST", "/invitations/accept", values);
      if (!answer.ok) return answer.problem;
      signedIn(answer.data);
    },
    after: h("section", { "aria-labelledby": "has-account" },
      h("h2", { id: "has-account", text: t("have_account_title") }),
      h("p", { text: t("have_account_intro") })),
  });
}

/** C2: a person who has an account adds the invitation's company to it. */
export function joinView(code = "") {
  return form({
    title: t("join_title"),
    intro: t("join_intro"),
    fields: [
      field({ name: "code", label: t("invitation_code"), value: code, autocomplete: "off" }),
      temporaryPasswordField(),
    ],
    button: t("accept"),
    submit: async ({ code: typed, temporary_password }) => {
      const body = { code: typed.trim() };
      if (temporary_password) body.temporary_password = temporary_password;
      const answer = await call("POST", "/me/invitations", body);
      if (!answer.ok) return answer.problem;
      home(t("joined", { company: answer.data.company_name, role: roleName(answer.data.role) }));
    },
  });
}
