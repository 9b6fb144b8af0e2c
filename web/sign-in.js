// Logging in (by email, or by username or line where the profile says so), the forced
// password change after a temporary password, autologin on the operator's network (W9) and
// the password reset by a code (W5, W8).
import {
  api, captcha, choice, codeField, field, form, h, home, link, newPassword, notice, offers, phoneField,
  problemBox, show, showHome, state, t, withPrefix,
} from "./core.js";
import { passkeyLogin, requiredSetupView, secondStepView } from "./factors.js";

const byUsername = () => state.config.login === "username";

/** The login name's field: an email, or a username (or a line number, W8). */
const nameField = () => (byUsername()
  ? field({ name: "username", label: t("username"), autocomplete: "username", hint: offers("line_registration") ? t("username_or_line_hint") : null })
  : field({ name: "email", label: t("email"), type: "email", autocomplete: "username" }));

/** Starts a session from a login's answer: the password change it may require, or the account. */
export function signedIn(session) {
  state.session = session;
  if (session.scope === "password_change") show(changePasswordView);
  else if (session.scope === "second_factor_setup") show(requiredSetupView);
  else showHome();
}

export function loginView(message) {
  const links = [
    offers("card_recovery") ? link("#/recover", t("forgot")) : null,
    offers("password_reset") ? link("#/reset", t("forgot_password_link")) : null,
    offers("card_registration") ? link("#/register", t("register_link")) : null,
    offers("card_registration") ? link("#/migrate", t("migrate_link")) : null,
    offers("vat_registration") ? link("#/user-admin", t("vat_link")) : null,
    offers("line_registration") ? link("#/line", t("line_link")) : null,
    offers("legal_rep_registration") ? link("#/username", t("username_reminder_link")) : null,
    offers("invitations") ? link("#/accept", t("accept_link")) : null,
  ].filter(Boolean);
  // Shown only when the API asks for it: past a name's or a network's allowance of failed
  // logins (`captcha_required`, with a challenge, harder as failures grow).
  const check = captcha({ hidden: true });
  const logIn = async (body) => {
    let answer = await api("POST", "/sessions", body);
    for (let asked = 0; asked < 3 && answer.problem?.code === "captcha_required"; asked += 1) {
      let solution;
      try { solution = await check.solve(answer.problem.captcha); } catch (problem) { return { problem }; }
      answer = await api("POST", "/sessions", { ...body, captcha: solution });
    }
    return answer;
  };
  return form({
    title: t("login_title"),
    intro: notice(message),
    fields: [
      nameField(),
      field({ name: "password", label: t("password"), type: "password", autocomplete: "current-password" }),
      ...check.fields,
    ],
    button: t("log_in"),
    submit: async (values) => {
      let answer = await logIn(values);
      // Where the import registers administrators (T1), their username is their email: a
      // portal whose people log in by email tries it as that username too.
      if (answer.problem?.code === "invalid_credentials" && values.email && offers("legal_rep_registration")) {
        answer = await logIn({ username: values.email.trim().toLowerCase(), password: values.password });
      }
      if (!answer.ok) return answer.problem;
      if (answer.status === 202) { show(() => secondStepView(answer.data, signedIn)); return; }
      signedIn(answer.data);
    },
    after: [
      passkeyLogin(signedIn),
      h("ul", { class: "links" }, links.map((a) => h("li", {}, a))),
      offers("autologin") ? autologin() : null,
    ],
  });
}

/**
 * W9: "Accedi direttamente". On the operator's mobile network its gateway adds the line and
 * its proof to this request; anywhere else the API answers that it cannot tell the line.
 */
function autologin() {
  const summary = h("div", { class: "summary" });
  return h("section", { class: "autologin", "aria-labelledby": "autologin-title" },
    h("h2", { id: "autologin-title", text: t("autologin_title") }),
    h("p", { class: "hint", text: t("autologin_hint") }),
    summary,
    h("button", {
      type: "button", class: "primary", text: t("autologin_button"),
      onclick: async () => {
        const answer = await api("POST", "/sessions/autologin");
        if (answer.ok) { signedIn(answer.data); return; }
        const box = problemBox(answer.problem);
        summary.replaceChildren(box);
        box.focus();
      },
    }));
}

export function changePasswordView() {
  return form({
    title: t("change_title"),
    intro: t("change_intro"),
    fields: [newPassword()],
    button: t("change"),
    submit: async ({ new_password }) => {
      const answer = await api("PUT", "/me/password", { new_password }, state.session?.access_token);
      if (!answer.ok) return answer.problem;
      state.session = null;
      home(t("changed"));
    },
  });
}

/** W5, W8: the login name and the captcha; then the channel; then the code and a password. */
export function resetView() {
  const check = captcha();
  return form({
    title: t("reset_title"),
    intro: t("reset_intro"),
    fields: [nameField(), ...check.fields],
    button: t("next"),
    submit: check.solved(async (values, solution) => {
      const answer = await api("POST", "/password-resets", { ...values, captcha: solution });
      if (!answer.ok) return answer.problem;
      show(() => resetChannelView(answer.data.flow_id));
    }),
  });
}

function resetChannelView(flow) {
  const phone = phoneField();
  return form({
    title: t("reset_channel_title"),
    fields: [
      h("fieldset", {}, h("legend", { text: t("reset_channel") }),
        choice("channel", "sms", t("by_sms"), true), choice("channel", "email", t("by_email"), false)),
      h("div", { class: "when-sms" }, phone),
    ],
    button: t("send_code"),
    submit: async ({ channel, phone: number }) => {
      const body = channel === "sms" ? { channel, phone: withPrefix(number ?? "") } : { channel };
      const answer = await api("POST", `/password-resets/${flow}/code`, body);
      if (!answer.ok) return answer.problem;
      show(() => resetPasswordView(flow, answer.data.sent_to));
    },
  });
}

function resetPasswordView(flow, sentTo) {
  return form({
    title: t("reset_password_title"),
    intro: t(sentTo ? "code_sent_to" : "code_sent", { to: sentTo }),
    fields: [codeField(), newPassword()],
    button: t("change"),
    submit: async (values) => {
      const answer = await api("POST", `/password-resets/${flow}/password`, values);
      if (!answer.ok) return answer.problem;
      home(t("changed"));
    },
  });
}

