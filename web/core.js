// What every screen is built with: the pages' state, their text, elements, API calls, forms.
// The session (access and refresh token) is kept in this module's memory only: a reload
// logs out (docs/pages.md says why).
import { catalogue } from "./i18n.js";

export const state = {
  lang: localStorage.getItem("varco-lang") === "en" ? "en" : "it",
  // `config.json` replaces these: where the API is, the profile, its flows and roles.
  config: { api: "", profile: "card-issuer", portal: "Varco", flows: [], roles: [], login: "email" },
  session: null,
  view: null,
};

/** The pages' text for `key` in the chosen language, with `{name}` filled from `vars`. */
export const t = (key, vars = {}) =>
  (catalogue[state.lang][key] ?? key).replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));

/** Whether the portal offers `flow` (a name of `config.json`'s `flows`). */
export const offers = (flow) => state.config.flows.includes(flow);

/** A role's name in the chosen language. */
export const roleName = (id) => state.config.roles.find((r) => r.id === id)?.[state.lang] ?? id;

/** A time (seconds since the epoch) or an ISO date as the person reads it. */
export function when(value) {
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  const options = typeof value === "number"
    ? { dateStyle: "medium", timeStyle: "short" }
    : { dateStyle: "medium", timeZone: "UTC" };
  return new Intl.DateTimeFormat(state.lang === "en" ? "en-GB" : "it-IT", options).format(date);
}

export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "text") element.textContent = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  return append(element, children);
}

/** Appends `children` (nested lists, with nothing where `null` or `false`) to `element`. */
export function append(element, ...children) {
  for (const child of children.flat(Infinity)) if (child != null && child !== false) element.append(child);
  return element;
}

/** One API call: `{ ok, status, data }` or `{ ok: false, status, problem }`. */
export async function api(method, path, body, token, headers = {}) {
  const sent = { "accept-language": state.lang, ...headers };
  if (body !== undefined) sent["content-type"] = "application/json";
  if (token) sent.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(state.config.api + path, {
      method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body),
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

/**
 * An API call as the person logged in. An expired access token is refreshed once with the
 * refresh token (single use: the answer holds the next one); a session that has ended
 * goes back to the login. Screens make their calls one after another: two at once with an
 * expired token would both spend the one refresh token.
 */
export async function call(method, path, body) {
  const session = state.session;
  if (!session) { home(); return { ok: false, status: 401, problem: { title: t("session_ended") } }; }
  let answer = await api(method, path, body, session.access_token);
  if (answer.status === 401 && session.refresh_token) {
    const refreshed = await api("POST", "/sessions/refresh", { refresh_token: session.refresh_token });
    if (refreshed.ok) {
      state.session = refreshed.data;
      answer = await api(method, path, body, refreshed.data.access_token);
    }
  }
  if (answer.status === 401) { state.session = null; home(t("session_ended")); }
  return answer;
}

let homeView = () => [];
/** What `home()` shows: the login, or the account when logged in (set by app.js). */
export function setHome(view) { homeView = view; }
/** The home screen (the account, once logged in), with `notice` on it. */
export function showHome(notice) { show(() => homeView(notice)); }
/** The home screen at the pages' own address (a link's query dropped). */
export function home(notice) { history.replaceState(null, "", location.pathname); showHome(notice); }

/** Shows `view` (a function that builds the screen) and remembers it for a change of language. */
export function show(view) {
  state.view = view;
  const main = document.getElementById("main");
  main.replaceChildren(...[view()].flat(Infinity).filter((node) => node != null && node !== false));
  const first = main.querySelector("[autofocus]") ?? main;
  first.focus();
}

/** A labelled input, with its hint and, shown before it, a fixed `prefix` (`+39`). */
export function field({ name, label, type = "text", hint, autocomplete, value, inputmode, prefix, required = true }) {
  const id = `field-${name}`;
  const input = h("input", {
    id, name, type, autocomplete, inputmode, value, required,
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

/** A labelled choice among `options` (`[value, label]`). */
export function select({ name, label, options, value }) {
  const id = `field-${name}`;
  return [
    h("label", { for: id, text: label }),
    h("select", { id, name }, options.map(([v, text]) => h("option", { value: v, selected: v === value, text }))),
  ];
}

/** A radio button of a group `name`. */
export const choice = (name, value, label, checked) => h("label", { class: "choice" },
  h("input", { type: "radio", name, value, checked }), ` ${label}`);

/** The new password's field, with its hint. */
export const newPassword = (name = "new_password", label = t("new_password")) => field({
  name, label, type: "password", autocomplete: "new-password", hint: t("new_password_hint"),
});

/** A phone number's field with the `+39` prefix shown; a national number is accepted. */
export const phoneField = (name = "phone", label = t("phone")) => field({
  name, label, type: "tel", autocomplete: "tel-national", hint: t("phone_prefix_hint"), prefix: "+39",
});

/** A number typed in `phoneField`, with its prefix. */
export const withPrefix = (number) => (number.trim().startsWith("+") ? number.trim() : `+39 ${number.trim()}`);

/**
 * The box that shows a problem, which takes the focus. A problem about one field of `form`
 * (the API's `field`) links to its input, marked invalid.
 */
export function problemBox(problem, form) {
  const title = problem.title ?? t("unreachable");
  const input = problem.field && form?.querySelector(`[name="${CSS.escape(problem.field)}"]`);
  form?.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
  if (input) input.setAttribute("aria-invalid", "true");
  const text = input
    ? h("a", { href: `#${input.id}`, text: title, onclick: (event) => { event.preventDefault(); input.focus(); } })
    : title;
  // A step that needs a recent login (`reauthentication_required`): the way to one.
  const again = problem.code === "reauthentication_required"
    ? h("p", {}, h("button", { type: "button", class: "secondary", text: t("log_in_again"), onclick: () => { state.session = null; home(t("reauthenticate_notice")); } }))
    : null;
  return h("div", { class: "error-summary", role: "alert", tabindex: "-1" },
    h("h2", { text: t("errors_title") }), h("p", {}, text), again);
}

/** A short confirmation, read out by screen readers. */
export const notice = (text) => (text ? h("p", { class: "notice", role: "status", text }) : null);

/**
 * A form with an error summary at its top. `submit(values, form)` answers nothing when it
 * moved on, or a problem to show.
 */
export function form({ title, intro, fields, button, submit, after, level = 1 }) {
  const summary = h("div", { class: "summary" });
  const send = h("button", { type: "submit", class: "primary", text: button });
  const element = h("form", { novalidate: true }, ...fields, send);
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    send.disabled = true;
    summary.replaceChildren();
    const values = Object.fromEntries(new FormData(element));
    const problem = await submit(values, element);
    send.disabled = false;
    if (problem) {
      const box = problemBox(problem, element);
      summary.replaceChildren(box);
      box.focus();
    }
  });
  return [
    title ? h(`h${level}`, { text: title }) : null,
    intro ? (typeof intro === "string" ? h("p", { text: intro }) : intro) : null,
    summary, element, after ?? null,
  ];
}

/** A button that does `onclick` (an action, not a form). */
export const button = (text, onclick, attrs = {}) => h("button", { type: "button", class: "secondary", text, onclick, ...attrs });

/** A link to another screen of the pages (`#/...`). */
export const link = (href, text) => h("a", { href, text });

/** The query parameters the pages were opened with (an email's link: `?code=`, `?flow=&token=`). */
export const opened = new URLSearchParams(location.search);

/** Solves the captcha in a Web Worker, showing its progress. Answers the solution. */
export async function solveCaptcha(progress) {
  const answer = await api("POST", "/captcha", {});
  if (!answer.ok) throw answer.problem;
  return solveChallenge(answer.data, progress);
}

/** Solves a challenge as `POST /captcha` or a `captcha_required` answer gives it. */
function solveChallenge(challenge, progress) {
  if (challenge?.kind !== "proof_of_work") throw { title: t("captcha_unsupported") };
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
    worker.postMessage({ challenge: challenge.challenge, difficulty: challenge.difficulty });
  });
}

/**
 * The captcha's part of a form: its progress bar and status, and `solved(submit)`, a form's
 * submit that solves the captcha first and gives `submit` the solution too (or answers the
 * problem that kept it from being solved); `solve(challenge)` solves one an answer asked for
 * (`captcha_required`), showing the fields if they were hidden (`hidden: true`).
 */
export function captcha({ hidden = false } = {}) {
  const progress = h("progress", { max: "1", value: "0", hidden: true, "aria-label": t("captcha") });
  const status = h("p", { class: "hint", role: "status" });
  const part = h("div", { hidden }, h("p", { class: "hint", text: t("captcha") }), progress, status);
  const working = async (solving) => {
    part.hidden = false;
    status.textContent = t("captcha_working");
    const solution = await solving();
    status.textContent = t("captcha_done");
    return solution;
  };
  return {
    fields: [part],
    solved: (submit) => async (values, element) => {
      let solution;
      try { solution = await working(() => solveCaptcha(progress)); } catch (problem) { return problem; }
      return submit(values, solution, element);
    },
    solve: (challenge) => working(() => solveChallenge(challenge, progress)),
  };
}

/** A one-time code's field. */
/** The password typed again before a change (or the current one, by `label`). */
export const passwordAgain = (label = t("password_again")) => field({
  name: "password", label, type: "password", autocomplete: "current-password",
});

export const codeField = (name = "code") => field({
  name, label: t("code"), inputmode: "numeric", autocomplete: "one-time-code", hint: t("code_hint"),
});

/** A code's screen with "send again" (`resend()` answers the API's answer). */
export function codeView({ title, sentTo, fields = [codeField()], button: label = t("next"), submit, resend }) {
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
