// An Administrator of the old portal moves to Varco with a code to the mobile on file (N2),
// and sees who the company's Administrator is (N8).
import {
  api, captcha, codeField, codeView, field, form, h, newPassword, phoneField, roleName, show, t, withPrefix,
} from "./core.js";
import { signedIn } from "./sign-in.js";

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
