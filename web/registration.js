// The card issuer's Administrator registers the company with its card and a code by SMS (N4).
import {
  api, captcha, codeView, field, form, newPassword, phoneField, show, t, withPrefix,
} from "./core.js";
import { signedIn } from "./sign-in.js";

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
