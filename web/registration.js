// Getting an account: the card-issuer Administrator's registration (N4) and migration from
// the old portal (N2); the telco User Admin's registration and activation (W2) and an
// employee's by line (W7); the first access from an emailed link (T2) and the username sent
// again (T1, T5); accepting an invitation, with a new account or an existing one (N5, C1, C2).
import {
  api, button, call, captcha, codeField, field, form, h, home, newPassword, opened,
  phoneField, roleName, show, state, t, withPrefix,
} from "./core.js";
import { signedIn } from "./sign-in.js";

/** A code's screen with "send again" (`resend()` answers the API's answer). */
function codeView({ title, sentTo, fields = [codeField()], button: label = t("next"), submit, resend }) {
  const status = h("p", { class: "hint", role: "status" });
  return form({
    title,
    intro: t("code_sent_to", { to: sentTo }),
    fields,
    button: label,
    submit,
    after: resend ? h("p", {}, button(t("send_again"), async () => {
      const answer = await resend();
      status.textContent = answer.ok ? t("sent_again", { to: answer.data.sent_to }) : answer.problem.title;
    }), status) : null,
  });
}

// --- N4: the Administrator's registration -------------------------------------------------

export function registerView() {
  const check = captcha();
  return form({
    title: t("register_title"),
    intro: t("register_intro"),
    fields: [
      field({ name: "card_number", label: t("company_card"), inputmode: "numeric", autocomplete: "off" }),
      field({ name: "registration_code", label: t("registration_code"), hint: t("registration_code_hint"), autocomplete: "off" }),
      phoneField(),
      ...check.fields,
    ],
    button: t("next"),
    submit: check.solved(async ({ card_number, registration_code, phone }, solution) => {
      const mobile = withPrefix(phone);
      const answer = await api("POST", "/registrations", { card_number, registration_code, phone: mobile, captcha: solution });
      if (!answer.ok) return answer.problem;
      const flow = answer.data.flow_id;
      show(() => codeView({
        title: t("confirm_mobile_title"),
        sentTo: answer.data.sent_to,
        submit: async ({ code }) => {
          const confirmed = await api("POST", `/registrations/${flow}/code`, { code });
          if (!confirmed.ok) return confirmed.problem;
          show(() => credentialsView(flow, confirmed.data.company_name));
        },
        resend: () => api("POST", `/registrations/${flow}/code/resend`, { phone: mobile }),
      }));
    }),
  });
}

function credentialsView(flow, company) {
  return form({
    title: t("credentials_title"),
    intro: t("credentials_intro", { company }),
    fields: [
      field({ name: "email", label: t("email"), type: "email", autocomplete: "username" }),
      newPassword("password", t("password")),
    ],
    button: t("register"),
    submit: async (values) => {
      const answer = await api("POST", `/registrations/${flow}/credentials`, values);
      if (!answer.ok) return answer.problem;
      signedIn(answer.data);
    },
  });
}

// --- N2: migration from the old portal ------------------------------------------------------

export function migrateView() {
  const check = captcha();
  return form({
    title: t("migrate_title"),
    intro: t("migrate_intro"),
    fields: [
      field({ name: "username", label: t("old_username"), autocomplete: "off", hint: t("old_username_hint") }),
      field({ name: "password", label: t("old_password"), type: "password", autocomplete: "off" }),
      phoneField(),
      field({ name: "email", label: t("new_email"), type: "email", autocomplete: "email", hint: t("new_email_hint") }),
      ...check.fields,
    ],
    button: t("next"),
    submit: check.solved(async (values, solution) => {
      const phone = withPrefix(values.phone);
      const answer = await api("POST", "/migrations", { ...values, phone, captcha: solution });
      if (!answer.ok) return answer.problem;
      const flow = answer.data.flow_id;
      show(() => codeView({
        title: t("confirm_mobile_title"),
        sentTo: answer.data.sent_to,
        fields: [codeField(), newPassword()],
        button: t("migrate_button"),
        submit: async (typed) => {
          const done = await api("POST", `/migrations/${flow}/code`, typed);
          if (!done.ok) return done.problem;
          show(() => migratedView(done.data));
        },
        resend: () => api("POST", `/migrations/${flow}/code/resend`, { phone }),
      }));
    }),
  });
}

/** N2, N8: where the person landed, with the company's Administrator named (or not yet). */
function migratedView(session) {
  return [
    h("h1", { text: t("migrated_title") }),
    h("dl", {},
      h("dt", { text: t("company") }), h("dd", { text: session.company_name }),
      h("dt", { text: t("role") }), h("dd", { text: roleName(session.role) }),
      h("dt", { text: t("administrator") }), h("dd", { text: session.administrator ?? t("no_administrator_yet") })),
    h("button", { type: "button", class: "primary", autofocus: true, text: t("go_on"), onclick: () => signedIn(session) }),
  ];
}

// --- W2: the User Admin's registration and activation ------------------------------------

export function vatView() {
  const check = captcha();
  return form({
    title: t("vat_title"),
    intro: t("vat_intro"),
    fields: [
      field({ name: "vat_number", label: t("vat_number"), autocomplete: "off" }),
      field({ name: "name", label: t("first_name"), autocomplete: "given-name" }),
      field({ name: "surname", label: t("surname"), autocomplete: "family-name" }),
      field({ name: "fiscal_code", label: t("fiscal_code"), autocomplete: "off" }),
      field({ name: "birth_date", label: t("birth_date"), type: "date", autocomplete: "bday" }),
      field({ name: "email", label: t("email"), type: "email", autocomplete: "email" }),
      phoneField("mobile"),
      ...check.fields,
    ],
    button: t("next"),
    submit: check.solved(async (values, solution) => {
      const answer = await api("POST", "/user-admin-registrations", { ...values, mobile: withPrefix(values.mobile), captcha: solution });
      if (!answer.ok) return answer.problem;
      show(() => [
        h("h1", { text: t("check_email_title") }),
        h("p", { text: t("activation_sent", { to: answer.data.sent_to }) }),
        h("p", { class: "advice", text: t("sent_advice_email") }),
      ]);
    }),
  });
}

/** W2: the activation link's page: the username and the password. */
export function activationView(flow, token) {
  return form({
    title: t("activation_title"),
    fields: [
      field({ name: "username", label: t("choose_username"), autocomplete: "username", hint: t("username_hint") }),
      newPassword("password", t("password")),
    ],
    button: t("activate"),
    submit: async (values) => {
      const answer = await api("POST", `/user-admin-registrations/${flow}/activation`, { ...values, token });
      if (!answer.ok) return answer.problem;
      signedIn(answer.data);
    },
  });
}

// --- W7: an employee registers a line ------------------------------------------------------

export function lineView() {
  const check = captcha();
  return form({
    title: t("line_title"),
    intro: t("line_intro"),
    fields: [phoneField("line", t("line")), field({ name: "email", label: t("email"), type: "email", autocomplete: "email" }), ...check.fields],
    button: t("next"),
    submit: check.solved(async ({ line, email }, solution) => {
      const number = withPrefix(line);
      const answer = await api("POST", "/line-registrations", { line: number, email, captcha: solution });
      if (!answer.ok) return answer.problem;
      const flow = answer.data.flow_id;
      const codeStep = (sent) => codeView({
        title: t("line_code_title"),
        sentTo: sent.sent_to,
        fields: [codeField(), newPassword()],
        button: t("register"),
        submit: async (typed) => {
          const done = await api("POST", `/line-registrations/${flow}/code`, typed);
          if (!done.ok) return done.problem;
          signedIn(done.data);
        },
        resend: () => api("POST", `/line-registrations/${flow}/code/resend`, { phone: number }),
      });
      if (answer.data.next !== "puk") { show(() => codeStep(answer.data)); return; }
      show(() => form({
        title: t("puk_title"),
        intro: t("puk_intro"),
        fields: [field({ name: "puk", label: t("puk"), inputmode: "numeric", autocomplete: "off" })],
        button: t("next"),
        submit: async ({ puk }) => {
          const sent = await api("POST", `/line-registrations/${flow}/puk`, { puk });
          if (!sent.ok) return sent.problem;
          show(() => codeStep(sent.data));
        },
      }));
    }),
  });
}

// --- T2: the first access from the emailed link; T1, T5: the username again ----------------

export function firstAccessView(flow, token) {
  return form({
    title: t("first_access_title"),
    intro: t("first_access_intro"),
    fields: [],
    button: t("send_code"),
    submit: async () => {
      const send = () => api("POST", `/first-accesses/${flow}/code`, { token });
      const sent = await send();
      if (!sent.ok) return sent.problem;
      show(() => codeView({
        title: t("first_access_title"),
        sentTo: sent.data.sent_to,
        fields: [codeField(), newPassword()],
        button: t("save_and_enter"),
        submit: async (typed) => {
          const done = await api("POST", `/first-accesses/${flow}/password`, typed);
          if (!done.ok) return done.problem;
          signedIn(done.data);
        },
        resend: send,
      }));
    },
  });
}

export function usernameReminderView() {
  const check = captcha();
  return form({
    title: t("username_reminder_title"),
    intro: t("username_reminder_intro"),
    fields: [field({ name: "email", label: t("email"), type: "email", autocomplete: "email" }), ...check.fields],
    button: t("send"),
    submit: check.solved(async ({ email }, solution) => {
      const answer = await api("POST", "/username-reminders", { email, captcha: solution });
      if (!answer.ok) return answer.problem;
      home(t("username_reminder_sent"));
    }),
  });
}

// --- N5, C1, C2: accepting an invitation -------------------------------------------------

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

