// Second factors: the login's second step (a code of the authenticator app, or a recovery
// code) and, from the account, the app set up (its QR code, and the secret as text for a
// phone that cannot scan), removed, and recovery codes (shown once, saved as a text file).
import { api, button, call, field, form, h, home, passwordAgain, show, state, t, when } from "./core.js";

/** The app's six digits (not a code sent by message: its hint says where to read it). */
const appCode = () => field({
  name: "code", label: t("app_code"), inputmode: "numeric", autocomplete: "one-time-code", hint: t("app_code_hint"),
});

/**
 * The login's second step: `flow` is the login's 202 answer (its id and the factors on
 * offer); `signedIn` takes the session.
 */
export function secondStepView(flow, signedIn, byRecoveryCode = false) {
  const recovery = !byRecoveryCode && flow.factors.includes("recovery_code");
  return form({
    title: t("second_step_title"),
    intro: t(byRecoveryCode ? "second_step_recovery_intro" : "second_step_intro"),
    fields: [byRecoveryCode
      ? field({ name: "code", label: t("recovery_code"), autocomplete: "off", hint: t("recovery_code_hint") })
      : appCode()],
    button: t("log_in"),
    submit: async (values) => {
      const step = byRecoveryCode ? "recovery-code" : "totp";
      const answer = await api("POST", `/logins/${encodeURIComponent(flow.flow_id)}/${step}`, values);
      if (!answer.ok) return answer.problem;
      signedIn(answer.data);
    },
    after: recovery
      ? h("p", {}, button(t("use_recovery_code"), () => show(() => secondStepView(flow, signedIn, true))))
      : null,
  });
}

/**
 * After a login whose session can only set up a second factor (the portal asks one of the
 * person, and the grace period is over): the setup, then a new login.
 */
export function requiredSetupView() {
  const again = () => h("p", {}, button(t("log_in_again"), () => { state.session = null; home(); }));
  return [h("p", { class: "advice", text: t("second_factor_required_intro") }), ...setupView(again)];
}

/**
 * What the account screen says of the second factor, and what it offers to do; `back()`
 * makes the way back to the account, `done(notice)` goes back there with a notice.
 */
export function factorsSection(factors, back, done) {
  const actions = factors.authenticator
    ? [[t("renew_recovery_codes"), () => renewView(back)], [t("remove_authenticator"), () => removeView(back, done)]]
    : [[t("set_up_authenticator"), () => setupView(back)]];
  return [
    h("h2", { text: t("second_factor_title") }),
    h("p", {
      text: factors.authenticator
        ? t("second_factor_on", { left: factors.recovery_codes_left })
        : t("second_factor_off"),
    }),
    factors.due_at ? h("p", { class: "advice", text: t("second_factor_due", { date: when(factors.due_at) }) }) : null,
    h("ul", { class: "actions" }, actions.map(([text, view]) => h("li", {}, button(text, () => show(view))))),
  ];
}


/** The password again, then the QR code and the secret, then the app's first code. */
function setupView(back) {
  return [
    form({
      title: t("set_up_authenticator"),
      intro: t("set_up_intro"),
      fields: [passwordAgain()],
      button: t("next"),
      submit: async (values) => {
        const answer = await call("POST", "/me/authenticator", values);
        if (!answer.ok) return answer.problem;
        show(() => scanView(answer.data, back));
      },
    }),
    back(),
  ];
}

function scanView(setup, back) {
  // The secret in groups of four, as people copy it by hand.
  const grouped = setup.secret.match(/.{1,4}/g).join(" ");
  return [
    form({
      title: t("set_up_authenticator"),
      intro: h("div", {},
        h("p", { text: t("scan_intro") }),
        h("img", { class: "qr", src: setup.qr_code, alt: t("qr_alt"), width: 200, height: 200 }),
        h("p", { text: t("secret_intro") }),
        h("p", { class: "secret", id: "authenticator-secret", text: grouped })),
      fields: [appCode()],
      button: t("confirm"),
      submit: async (values) => {
        const answer = await call("POST", "/me/authenticator/code", values);
        if (!answer.ok) return answer.problem;
        show(() => codesView(answer.data.recovery_codes, back));
      },
    }),
    back(),
  ];
}

/** Recovery codes, shown this once: listed, and saved as a text file. */
function codesView(codes, back) {
  const file = new Blob([`${codes.join("\n")}\n`], { type: "text/plain" });
  return [
    h("h1", { text: t("recovery_codes_title") }),
    h("p", { text: t("recovery_codes_intro") }),
    h("ul", { class: "recovery-codes" }, codes.map((code) => h("li", { class: "secret", text: code }))),
    h("p", {}, h("a", { href: URL.createObjectURL(file), download: "recovery-codes.txt", text: t("recovery_codes_save") })),
    back(),
  ];
}

function renewView(back) {
  return [
    form({
      title: t("renew_recovery_codes"),
      intro: t("renew_intro"),
      fields: [passwordAgain()],
      button: t("renew_recovery_codes"),
      submit: async (values) => {
        const answer = await call("POST", "/me/recovery-codes", values);
        if (!answer.ok) return answer.problem;
        show(() => codesView(answer.data.recovery_codes, back));
      },
    }),
    back(),
  ];
}

function removeView(back, done) {
  return [
    form({
      title: t("remove_authenticator"),
      intro: h("p", { class: "advice", text: t("remove_intro") }),
      fields: [passwordAgain()],
      button: t("remove_authenticator"),
      submit: async (values) => {
        const answer = await call("POST", "/me/authenticator/removal", values);
        if (!answer.ok) return answer.problem;
        done(t("saved"));
      },
    }),
    back(),
  ];
}
