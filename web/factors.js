// Second factors: the login's second step (a code of the authenticator app, a passkey, or a
// recovery code), login by a passkey alone, and, from the account, the app set up (its QR
// code, and the secret as text for a phone that cannot scan), removed, passkeys added and
// removed, and recovery codes (shown once, saved as a text file).
import {
  api, button, call, field, form, h, home, passwordAgain, problemBox, show, state, t, when,
} from "./core.js";

/**
 * The browser's side of a passkey ceremony: `navigator.credentials.create` or `get` with
 * the API's `options`; answers the credential as JSON, or a problem to show.
 */
async function ceremony(kind, options) {
  const credentials = window.PublicKeyCredential;
  if (!credentials?.parseRequestOptionsFromJSON) return { problem: { title: t("passkey_unsupported") } };
  try {
    const credential = kind === "create"
      ? await navigator.credentials.create({ publicKey: credentials.parseCreationOptionsFromJSON(options.publicKey) })
      : await navigator.credentials.get({ publicKey: credentials.parseRequestOptionsFromJSON(options.publicKey) });
    return { credential: credential.toJSON() };
  } catch {
    return { problem: { title: t("passkey_cancelled") } };
  }
}

/** A button that runs `act` (which answers a problem, or nothing when it moved on), with the problem shown above it. */
function acting(label, act) {
  const summary = h("div", { class: "summary" });
  const go = async (event) => {
    event.target.disabled = true;
    summary.replaceChildren();
    const problem = await act();
    event.target.disabled = false;
    if (problem) {
      const box = problemBox(problem);
      summary.replaceChildren(box);
      box.focus();
    }
  };
  return h("div", {}, summary, h("p", {}, button(label, go)));
}

/** "Accedi con una passkey": a login by a passkey alone; `signedIn` takes the session. */
export function passkeyLogin(signedIn) {
  if (!window.PublicKeyCredential) return null;
  return acting(t("passkey_log_in"), async () => {
    const started = await api("POST", "/passkey-logins");
    if (!started.ok) return started.problem;
    const path = `/passkey-logins/${encodeURIComponent(started.data.flow_id)}`;
    return passkeySession(started.data.options, path, signedIn);
  });
}

/** The passkey's answer to `options`, sent to `path`; `signedIn` takes the session, or a problem comes back. */
async function passkeySession(options, path, signedIn) {
  const answer = await ceremony("get", options);
  if (answer.problem) return answer.problem;
  const session = await api("POST", path, { credential: answer.credential });
  if (!session.ok) return session.problem;
  signedIn(session.data);
  return null;
}

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
  const app = flow.factors.includes("totp");
  if (!byRecoveryCode && !app) {
    // Passkeys only: the passkey's button, and the recovery code as the way out.
    return [
      h("h1", { text: t("second_step_title") }),
      h("p", { text: t("second_step_passkey_intro") }),
      ...secondStepOthers(flow, signedIn, recovery),
    ];
  }
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
    after: byRecoveryCode ? null : secondStepOthers(flow, signedIn, recovery),
  });
}

/** The second step's other ways: the passkey, a recovery code. */
function secondStepOthers(flow, signedIn, recovery) {
  return [
    flow.factors.includes("passkey")
      ? acting(t("use_passkey"), () => passkeySession(flow.passkey_options, `/logins/${encodeURIComponent(flow.flow_id)}/passkey`, signedIn))
      : null,
    recovery
      ? h("p", {}, button(t("use_recovery_code"), () => show(() => secondStepView(flow, signedIn, true))))
      : null,
  ];
}

/**
 * After a login whose session can only set up a second factor (the portal asks one of the
 * person, and the grace period is over): the setup, then a new login.
 */
export function requiredSetupView() {
  const again = () => h("p", {}, button(t("log_in_again"), () => { state.session = null; home(); }));
  const passkey = window.PublicKeyCredential
    ? h("p", {}, button(t("add_passkey"), () => show(() => addPasskeyView(again, () => { state.session = null; home(t("passkey_added")); }))))
    : null;
  return [h("p", { class: "advice", text: t("second_factor_required_intro") }), ...setupView(again), passkey];
}

/**
 * What the account screen says of the second factor, and what it offers to do; `back()`
 * makes the way back to the account, `done(notice)` goes back there with a notice.
 */
export function factorsSection(factors, back, done) {
  const passkeys = factors.passkeys ?? [];
  const any = factors.authenticator || passkeys.length > 0;
  const actions = [
    factors.authenticator
      ? [t("remove_authenticator"), () => removeView(back, done, passkeys.length > 0)]
      : [t("set_up_authenticator"), () => setupView(back)],
    window.PublicKeyCredential ? [t("add_passkey"), () => addPasskeyView(back, done)] : null,
    any ? [t("renew_recovery_codes"), () => renewView(back)] : null,
  ].filter(Boolean);
  const status = factors.authenticator ? "second_factor_on" : passkeys.length ? "second_factor_on_passkeys" : "second_factor_off";
  return [
    h("h2", { text: t("second_factor_title") }),
    h("p", { text: t(status, { left: factors.recovery_codes_left }) }),
    factors.due_at ? h("p", { class: "advice", text: t("second_factor_due", { date: when(factors.due_at) }) }) : null,
    passkeys.length ? h("h3", { text: t("passkeys_title") }) : null,
    passkeys.length ? h("ul", { class: "passkeys" }, passkeys.map((p) => h("li", {},
      h("span", { text: t(p.last_used_at ? "passkey_line_used" : "passkey_line", { name: p.name, from: when(p.created_at), used: p.last_used_at ? when(p.last_used_at) : "" }) }), " ",
      button(t("remove"), () => show(() => removePasskeyView(p, back, done)), { "aria-label": t("remove_passkey_named", { name: p.name }) })))) : null,
    h("ul", { class: "actions" }, actions.map(([text, view]) => h("li", {}, button(text, () => show(view))))),
  ];
}

/** The password again and a name, then the browser's passkey dialog. */
function addPasskeyView(back, done) {
  return [
    form({
      title: t("add_passkey"),
      intro: t("add_passkey_intro"),
      fields: [
        field({ name: "name", label: t("passkey_name"), autocomplete: "off", hint: t("passkey_name_hint") }),
        passwordAgain(),
      ],
      button: t("next"),
      submit: async (values) => {
        if (!values.name.trim()) return { title: t("passkey_name_missing"), field: "name" };
        const started = await call("POST", "/me/passkeys/registration", { password: values.password });
        if (!started.ok) return started.problem;
        const answer = await ceremony("create", started.data.options);
        if (answer.problem) return answer.problem;
        const added = await call("POST", "/me/passkeys", { flow_id: started.data.flow_id, name: values.name, credential: answer.credential });
        if (!added.ok) return added.problem;
        if (added.data.recovery_codes) show(() => codesView(added.data.recovery_codes, back));
        else done(t("passkey_added"));
      },
    }),
    back(),
  ];
}

function removePasskeyView(passkey, back, done) {
  return [
    form({
      title: t("remove_passkey_named", { name: passkey.name }),
      intro: t("remove_passkey_intro"),
      fields: [passwordAgain()],
      button: t("remove"),
      submit: async (values) => {
        const answer = await call("POST", `/me/passkeys/${encodeURIComponent(passkey.id)}/removal`, values);
        if (!answer.ok) return answer.problem;
        done(t("saved"));
      },
    }),
    back(),
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

function removeView(back, done, passkeysStay) {
  return [
    form({
      title: t("remove_authenticator"),
      intro: h("p", { class: "advice", text: t(passkeysStay ? "remove_intro_passkeys_stay" : "remove_intro") }),
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
