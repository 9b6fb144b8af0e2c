// The legal representative's first access from the emailed link (T2), and the username sent
// again (T1, T5).
import {
  api, captcha, codeField, codeView, field, form, home, newPassword, show, t,
} from "./core.js";
import { signedIn } from "./sign-in.js";

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
