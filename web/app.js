// Varco's reference portal pages: every screen calls the API exactly as any client would.
// The access token is kept in memory only (this module's `state`): a reload logs out.
import { catalogue } from "./i18n.js";

const state = {
  lang: localStorage.getItem("varco-lang") === "en" ? "en" : "it",
  config: { api: "", profile: "card-issuer", portal: "Varco" },
  session: null,
  view: null,
};

const t = (key, vars = {}) =>
  (catalogue[state.lang][key] ?? key).replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));

function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "text") element.textContent = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child != null) element.append(child);
  return element;
}

/** One API call: `{ ok, status, data }` or `{ ok: false, status, problem }`. */
async function api(method, path, body, token) {
  const headers = { "accept-language": state.lang };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(state.config.api + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, problem: { title: t("unreachable") } };
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (response.ok) return { ok: true, status: response.status, data };
  return { ok: false, status: response.status, problem: data ?? { title: t("unreachable") } };
}

/** Shows `view` (a function that builds the screen) and remembers it for a change of language. */
function show(view) {
  state.view = view;
  const main = document.getElementById("main");
  main.replaceChildren(...[view()].flat().filter((node) => node != null));
  const first = main.querySelector("[autofocus]") ?? main;
  first.focus();
}

/** A labelled input, with its hint and, shown before it, a fixed `prefix` (`+39`). */
function field({ name, label, type = "text", hint, autocomplete, value, inputmode, prefix }) {
  const id = `field-${name}`;
  const input = h("input", {
    id, name, type, autocomplete, inputmode, value, required: true,
    "aria-describedby": hint ? `${id}-hint` : null,
  });
  return [
    h("label", { for: id, text: label }),
    hint ? h("p", { class: "hint", id: `${id}-hint`, text: hint }) : null,
    prefix
      ? h("div", { class: "prefixed" }, h("span", { class: "prefix", "aria-hidden": "true", text: prefix }), input)
      : input,
  ];
}

/**
 * A form with an error summary at its top. `submit(values, form)` answers nothing when it
 * moved on, or a problem to show.
 */
function form({ title, intro, fields, button, submit, after }) {
  const summary = h("div", { class: "summary" });
  const send = h("button", { type: "submit", class: "primary", text: button });
  const element = h("form", { novalidate: true }, ...fields, send);
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    send.disabled = true;
    const values = Object.fromEntries(new FormData(element));
    const problem = await submit(values, element);
    send.disabled = false;
    if (problem) {
      const box = h("div", { class: "error-summary", role: "alert", tabindex: "-1" },
        h("h2", { text: t("errors_title") }), h("p", { text: problem.title ?? t("unreachable") }));
      summary.replaceChildren(box);
      box.focus();
    }
  });
  return [h("h1", { text: title }), intro ? h("p", { text: intro }) : null, summary, element, after ?? null];
}

// --- logging in -------------------------------------------------------------------------

function loginView(notice) {
  return form({
    title: t("login_title"),
    intro: notice,
    fields: [
      field({ name: "email", label: t("email"), type: "email", autocomplete: "username" }),
      field({ name: "password", label: t("password"), type: "password", autocomplete: "current-password" }),
    ],
    button: t("log_in"),
    submit: async ({ email, password }) => {
      const answer = await api("POST", "/sessions", { email, password });
      if (!answer.ok) return answer.problem;
      state.session = answer.data;
      show(answer.data.scope === "password_change" ? changePasswordView : accountView);
    },
    after: h("p", {}, h("a", { href: "#/recover", text: t("forgot") })),
  });
}

function changePasswordView() {
  return form({
    title: t("change_title"),
    intro: t("change_intro"),
    fields: [field({
      name: "new_password", label: t("new_password"), type: "password",
      autocomplete: "new-password", hint: t("new_password_hint"),
    })],
    button: t("change"),
    submit: async ({ new_password }) => {
      const answer = await api("PUT", "/me/password", { new_password }, state.session?.access_token);
      if (!answer.ok) return answer.problem;
      state.session = null;
      show(() => loginView(t("changed")));
    },
  });
}

function accountView() {
  const container = h("div", {}, h("h1", { text: t("account_title") }));
  api("GET", "/me", undefined, state.session?.access_token).then((answer) => {
    if (!answer.ok) { state.session = null; show(loginView); return; }
    const me = answer.data;
    const memberships = (me.memberships ?? []).map((m) => `${m.company_name} (${m.role})`).join(", ");
    container.append(
      h("dl", {},
        h("dt", { text: t("display_name") }), h("dd", { text: me.display_name }),
        h("dt", { text: t("email") }), h("dd", { text: me.email }),
        memberships ? [h("dt", { text: t("memberships") }), h("dd", { text: memberships })] : null),
      h("button", {
        type: "button", class: "primary", text: t("log_out"),
        onclick: async () => {
          await api("DELETE", "/sessions/current", undefined, state.session?.access_token);
          state.session = null;
          show(loginView);
        },
      }));
  });
  return container;
}

// --- recovering the password or the login email (R1-R7) ------------------------------------

/** Solves the captcha in a Web Worker, showing its progress. Answers the solution. */
async function solveCaptcha(progress) {
  const answer = await api("POST", "/captcha", {});
  if (!answer.ok) throw answer.problem;
  if (answer.data.kind !== "proof_of_work") throw { title: t("unreachable") };
  progress.hidden = false;
  progress.value = 0;
  return new Promise((resolve) => {
    const worker = new Worker("pow-worker.js");
    worker.onmessage = ({ data }) => {
      if (!data.done) { progress.value = data.progress; return; }
      progress.value = 1;
      worker.terminate();
      resolve(data.solution);
    };
    worker.postMessage({ challenge: answer.data.challenge, difficulty: answer.data.difficulty });
  });
}

function recoverView() {
  const progress = h("progress", { max: "1", value: "0", hidden: true, "aria-label": t("captcha") });
  const status = h("p", { class: "hint", role: "status" });
  const choice = (value, label, checked) => h("label", { class: "choice" },
    h("input", { type: "radio", name: "kind", value, checked }), ` ${label}`);
  return form({
    title: t("recover_title"),
    fields: [
      h("fieldset", {}, h("legend", { text: t("recover_what") }),
        choice("password", t("forgot_password"), true), choice("email", t("forgot_email"), false)),
      field({ name: "fiscal_code", label: t("fiscal_code"), autocomplete: "off" }),
      field({ name: "birth_date", label: t("birth_date"), type: "date", hint: t("birth_date_hint"), autocomplete: "bday" }),
      h("p", { class: "hint", text: t("captcha") }), progress, status,
    ],
    button: t("next"),
    submit: async ({ kind, fiscal_code, birth_date }) => {
      status.textContent = t("captcha_working");
      let captcha;
      try { captcha = await solveCaptcha(progress); } catch (problem) { return problem; }
      status.textContent = t("captcha_done");
      const answer = await api("POST", "/recoveries", {
        kind, fiscal_code: fiscal_code.trim(), birth_date, captcha,
      });
      if (!answer.ok) return answer.problem;
      const flow = answer.data;
      show(() => methodsView(flow));
    },
  });
}

function methodsView(flow) {
  const views = {
    key6: () => key6View(flow),
    security_question: (method) => questionView(flow, method.question),
    password: () => recoveryPasswordView(flow),
  };
  return [
    h("h1", { text: t("methods_title") }),
    h("div", { class: "methods" }, flow.methods.map((method, index) => h("button", {
      type: "button", autofocus: index === 0, text: t(`method_${method.method}`),
      onclick: () => show(() => views[method.method](method)),
    }))),
  ];
}

/** Sends the proof of identity of `step`, then asks for the phone. */
async function prove(flow, step, body) {
  const answer = await api("POST", `/recoveries/${flow.flow_id}/${step}`, body);
  if (!answer.ok) return answer.problem;
  show(() => phoneView(flow, answer.data));
}

function key6View(flow) {
  const boxes = Array.from({ length: 6 }, (_, i) => h("input", {
    type: "text", inputmode: "numeric", maxlength: "1", autocomplete: "off",
    "aria-label": t("key6_digit", { n: i + 1 }), name: `key6_${i}`, required: true,
  }));
  boxes.forEach((box, i) => {
    box.addEventListener("input", () => {
      const digits = box.value.replace(/\D/g, "");
      // A pasted code fills the boxes from here.
      [...digits].slice(0, 6 - i).forEach((digit, k) => { boxes[i + k].value = digit; });
      if (digits) boxes[Math.min(5, i + digits.length)].focus();
    });
    box.addEventListener("keydown", (event) => {
      if (event.key === "Backspace" && !box.value && i > 0) boxes[i - 1].focus();
    });
  });
  return form({
    title: t("method_key6"),
    fields: [
      field({ name: "card_number", label: t("card_number"), inputmode: "numeric", autocomplete: "cc-number" }),
      h("fieldset", { "aria-describedby": "key6-hint" },
        h("legend", { text: t("key6") }), h("p", { class: "hint", id: "key6-hint", text: t("key6_hint") }),
        h("div", { class: "boxes" }, boxes)),
    ],
    button: t("next"),
    submit: (values) => prove(flow, "key6", {
      card_number: values.card_number,
      key6: boxes.map((box) => box.value).join(""),
    }),
  });
}

function questionView(flow, question) {
  return form({
    title: t("method_security_question"),
    intro: question,
    fields: [field({ name: "answer", label: t("answer"), autocomplete: "off" })],
    button: t("next"),
    submit: ({ answer }) => prove(flow, "security-answer", { answer }),
  });
}

function recoveryPasswordView(flow) {
  return form({
    title: t("method_password"),
    fields: [field({ name: "password", label: t("password"), type: "password", autocomplete: "current-password" })],
    button: t("next"),
    submit: ({ password }) => prove(flow, "password", { password }),
  });
}

function phoneView(flow, prompt) {
  const intro = prompt.hint
    ? t("phone_hint_one", { hint: prompt.hint })
    : t("phone_hint_many", { n: prompt.numbers_on_file });
  return form({
    title: t("phone_title"),
    intro,
    fields: [field({
      name: "phone", label: t("phone"), type: "tel", autocomplete: "tel-national",
      hint: t("phone_prefix_hint"), prefix: "+39",
    })],
    button: t("next"),
    submit: async ({ phone }) => {
      const number = phone.trim().startsWith("+") ? phone.trim() : `+39 ${phone.trim()}`;
      const answer = await api("POST", `/recoveries/${flow.flow_id}/phone`, { phone: number });
      if (!answer.ok) return answer.problem;
      show(() => sentView(flow.kind, answer.data.sent_to));
    },
  });
}

function sentView(kind, to) {
  return [
    h("h1", { text: t("sent_title") }),
    h("p", { text: t(kind === "email" ? "sent_email" : "sent_password", { to }) }),
    h("p", { class: "advice", text: t("sent_advice") }),
    h("button", {
      type: "button", class: "primary", autofocus: true, text: t("back_to_login"),
      onclick: () => { location.hash = "#/"; show(loginView); },
    }),
  ];
}

// --- start ---------------------------------------------------------------------------------

function route() {
  show(location.hash === "#/recover" ? recoverView : loginView);
}

function setLanguage(lang) {
  state.lang = lang;
  localStorage.setItem("varco-lang", lang);
  document.documentElement.lang = lang;
  document.querySelector(".skip").textContent = t("skip");
  if (state.view) show(state.view);
}

async function start() {
  try {
    const answer = await fetch("config.json");
    if (answer.ok) Object.assign(state.config, await answer.json());
  } catch { /* the defaults: this origin, card-issuer */ }
  document.getElementById("portal").textContent = state.config.portal;
  document.title = state.config.portal;
  document.getElementById("profile-style").href = `profiles/${state.config.profile}.css`;
  document.getElementById("lang-it").addEventListener("click", () => setLanguage("it"));
  document.getElementById("lang-en").addEventListener("click", () => setLanguage("en"));
  setLanguage(state.lang);
  window.addEventListener("hashchange", route);
  route();
}

start();
