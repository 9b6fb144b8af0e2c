// An employee registers a line of the company, proving the SIM by a code or its PUK (W7).
import {
  api, captcha, codeField, codeView, field, form, newPassword, phoneField, show, t, withPrefix,
} from "./core.js";
import { signedIn } from "./sign-in.js";

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
