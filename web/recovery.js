// Card-issuer credential recovery (R1-R7): the password or the login email, by fiscal code,
// birth date and the captcha; then Key6, the security question or the password; then the
// phone on file, and an SMS.
import { api, captcha, choice, field, form, h, home, phoneField, show, t, withPrefix } from "./core.js";

export function recoverView() {
  const check = captcha();
  return form({
    title: t("recover_title"),
    fields: [
      h("fieldset", {}, h("legend", { text: t("recover_what") }),
        choice("kind", "password", t("forgot_password"), true), choice("kind", "email", t("forgot_email"), false)),
      field({ name: "fiscal_code", label: t("fiscal_code"), autocomplete: "off" }),
      field({ name: "birth_date", label: t("birth_date"), type: "date", hint: t("birth_date_hint"), autocomplete: "bday" }),
      ...check.fields,
    ],
    button: t("next"),
    submit: check.solved(async ({ kind, fiscal_code, birth_date }, solution) => {
      const answer = await api("POST", "/recoveries", {
        kind, fiscal_code: fiscal_code.trim(), birth_date, captcha: solution,
      });
      if (!answer.ok) return answer.problem;
      const flow = answer.data;
      show(() => methodsView(flow));
    }),
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
    fields: [phoneField()],
    button: t("next"),
    submit: async ({ phone }) => {
      const answer = await api("POST", `/recoveries/${flow.flow_id}/phone`, { phone: withPrefix(phone) });
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
      onclick: () => home(),
    }),
  ];
}

