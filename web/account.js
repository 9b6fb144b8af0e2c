// The person's own account: what it holds, its companies and units (C3), and what they change
// themselves: the mobile (N7), the login email (C5), the password, a card's Key6 (R8), a
// second SIM (W11), a company joined by code (C2), the account's deletion (W10), and the
// second factor (`factors.js`).
import {
  append, button, call, codeField, field, form, h, home, newPassword, notice, offers, passwordAgain, phoneField,
  problemBox, roleName, show, state, t, when, withPrefix,
} from "./core.js";
import { joinView } from "./invitations.js";
import { companyView } from "./company.js";
import { factorsSection } from "./factors.js";

/** "Back to your account", under each of its screens. */
const back = () => h("p", {}, button(t("back_to_account"), () => show(accountView)));

export function accountView(message) {
  const container = h("div", {}, h("h1", { text: t("account_title") }), notice(message));
  call("GET", "/me").then(async (answer) => {
    if (!answer.ok) { container.append(problemBox(answer.problem)); return; }
    const me = answer.data;
    append(container,
      h("dl", {},
        h("dt", { text: t("display_name") }), h("dd", { text: me.display_name }),
        h("dt", { text: t("login_email") }), h("dd", { text: me.email }),
        me.mobile ? [h("dt", { text: t("phone") }), h("dd", { text: me.mobile })] : null,
        me.lines?.length ? [h("dt", { text: t("lines") }), h("dd", { text: me.lines.join(", ") })] : null),
      memberships(me.memberships),
      offers("units") ? await units() : null,
      factorsSection(me.second_factors, back, (saved) => show(() => accountView(saved))),
      await sessions(),
      h("h2", { text: t("settings") }),
      h("ul", { class: "actions" }, actions().map(([text, view]) =>
        h("li", {}, button(text, () => show(view))))),
      h("button", {
        type: "button", class: "primary", text: t("log_out"),
        onclick: async () => {
          await call("DELETE", "/sessions/current");
          state.session = null;
          home(t("logged_out"));
        },
      }));
  });
  return container;
}

function memberships(list) {
  if (!list.length) return null;
  return [
    h("h2", { text: t("memberships") }),
    h("ul", { class: "companies" }, list.map((m) => {
      const role = state.config.roles.find((r) => r.id === m.role);
      const manages = role?.grants.length || role?.reads_audit;
      return h("li", {},
        h("span", { text: `${m.company_name}: ${roleName(m.role)}` }),
        m.access_until ? h("span", { class: "hint", text: ` (${t("access_until", { date: when(m.access_until) })})` }) : null,
        manages ? [" ", button(t("manage_company"), () => show(() => companyView(m)))] : null);
    })),
  ];
}

/** C3: the units the person sees now, and the contracts that have not started yet. */
async function units() {
  const answer = await call("GET", "/me/units");
  if (!answer.ok) return null;
  const { units: now, upcoming } = answer.data;
  return [
    h("h2", { text: t("units_title") }),
    now.length
      ? h("ul", {}, now.map((u) => h("li", { text: t("unit_line", {
        property: u.property_name, unit: u.unit_name, role: roleName(u.role), from: when(u.starts_on),
      }) })))
      : h("p", { text: t("no_units") }),
    upcoming.length
      ? [h("h3", { text: t("upcoming_title") }), h("ul", {}, upcoming.map((u) => h("li", {
        text: t("upcoming_line", { property: u.property_name, from: when(u.starts_on) }),
      })))]
      : null,
  ];
}

/** Where the person is logged in: their sessions, newest first, the one in use marked. */
async function sessions() {
  const answer = await call("GET", "/me/sessions");
  if (!answer.ok) return null;
  return [
    h("h2", { text: t("sessions_title") }),
    h("ul", { class: "sessions" }, answer.data.sessions.map((s) => h("li", {},
      t(s.current ? "session_current" : "session_line", { from: when(s.created_at) }),
      // Where it was opened and when last used, as far as the API could tell.
      ...[s.device, s.network, s.last_used_at ? t("session_last_used", { at: when(s.last_used_at) }) : null]
        .filter(Boolean).map((detail) => h("span", { class: "session-detail", text: ` · ${detail}` }))))),
  ];
}

function actions() {
  return [
    [t("change_mobile"), mobileView],
    [t("change_email"), emailView],
    [t("change_password"), passwordView],
    offers("card_recovery") ? [t("view_key6"), key6View] : null,
    offers("line_registration") ? [t("add_line"), lineView] : null,
    offers("invitations") ? [t("join_title"), () => [joinView(), back()]] : null,
    [t("delete_account"), deletionView],
  ].filter(Boolean);
}

/** A change confirmed by a code sent to the new mobile or email (N7, C5, W11). */
function confirmView(title, path, sentTo) {
  return [
    form({
      title,
      intro: t("code_sent_to", { to: sentTo }),
      fields: [codeField()],
      button: t("confirm"),
      submit: async (values) => {
        const answer = await call("POST", path, values);
        if (!answer.ok) return answer.problem;
        show(() => accountView(t("saved")));
      },
    }),
    back(),
  ];
}

function mobileView() {
  return [
    form({
      title: t("change_mobile"),
      fields: [phoneField("phone", t("new_mobile")), passwordAgain()],
      button: t("send_code"),
      submit: async ({ phone, password: typed }) => {
        const answer = await call("POST", "/me/mobile", { phone: withPrefix(phone), password: typed });
        if (!answer.ok) return answer.problem;
        show(() => confirmView(t("change_mobile"), "/me/mobile/code", answer.data.sent_to));
      },
    }),
    back(),
  ];
}

function emailView() {
  return [
    form({
      title: t("change_email"),
      fields: [field({ name: "email", label: t("new_email"), type: "email", autocomplete: "email" }), passwordAgain()],
      button: t("send_code"),
      submit: async (values) => {
        const answer = await call("POST", "/me/email", values);
        if (!answer.ok) return answer.problem;
        show(() => confirmView(t("change_email"), "/me/email/code", answer.data.sent_to));
      },
    }),
    back(),
  ];
}

function passwordView() {
  return [
    form({
      title: t("change_password"),
      fields: [passwordAgain(t("current_password")), newPassword()],
      button: t("change"),
      submit: async ({ password: current, new_password }) => {
        const answer = await call("PUT", "/me/password", { current_password: current, new_password });
        if (!answer.ok) return answer.problem;
        state.session = null;
        home(t("changed"));
      },
    }),
    back(),
  ];
}

/** R8: a card's Key6, asked of the card issuer after the password again; shown until hidden. */
function key6View() {
  const shown = h("div", { "aria-live": "polite" });
  return [
    form({
      title: t("view_key6"),
      intro: t("view_key6_intro"),
      fields: [field({ name: "card_number", label: t("card_number"), inputmode: "numeric", autocomplete: "off" }), passwordAgain()],
      button: t("show_key6"),
      submit: async (values, element) => {
        const answer = await call("POST", "/me/cards/key6", values);
        if (!answer.ok) return answer.problem;
        element.reset();
        shown.replaceChildren(
          h("p", { text: t("key6_of", { last4: answer.data.last4 }) }),
          h("p", { class: "key6", text: answer.data.key6 }),
          button(t("hide"), () => shown.replaceChildren()));
      },
    }),
    shown,
    back(),
  ];
}

/** W11: a second SIM, by a code sent to it, or at once by a data-only SIM's PUK. */
function lineView() {
  return [
    form({
      title: t("add_line"),
      intro: t("add_line_intro"),
      fields: [
        phoneField("line", t("line")),
        field({ name: "puk", label: t("puk_data_only"), inputmode: "numeric", autocomplete: "off", required: false, hint: t("puk_data_only_hint") }),
        passwordAgain(),
      ],
      button: t("next"),
      submit: async ({ line, puk, password: typed }) => {
        const body = { line: withPrefix(line), password: typed, ...(puk.trim() ? { puk: puk.trim() } : {}) };
        const answer = await call("POST", "/me/lines", body);
        if (!answer.ok) return answer.problem;
        if (answer.data.lines) { show(() => accountView(t("saved"))); return; }
        show(() => confirmView(t("add_line"), "/me/lines/code", answer.data.sent_to));
      },
    }),
    back(),
  ];
}

/** W10: the account deleted, after the password again. */
function deletionView() {
  return [
    form({
      title: t("delete_account"),
      intro: h("p", { class: "advice", text: t("delete_intro") }),
      fields: [passwordAgain()],
      button: t("delete_button"),
      submit: async (values) => {
        const answer = await call("POST", "/me/deletion", values);
        if (!answer.ok) return answer.problem;
        state.session = null;
        home(t("deleted"));
      },
    }),
    back(),
  ];
}
