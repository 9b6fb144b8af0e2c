// The telco's User Admin registers by the company's VAT number and activates the account from
// the emailed link (W2).
import {
  api, captcha, field, form, h, newPassword, phoneField, show, t, withPrefix,
} from "./core.js";
import { signedIn } from "./sign-in.js";

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
