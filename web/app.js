// Varco's reference portal pages: every screen calls the API exactly as any client would.
// This module starts them: it reads `config.json`, sets the portal's name, look and language,
// and shows the screen the address names (`#/recover`, `#/register`, ...; an email's link
// opens `/?code=` for an invitation, `/?flow=&token=` for an activation or first access).
import { offers, opened, setHome, show, state, t } from "./core.js";
import { accountView } from "./account.js";
import { recoverView } from "./recovery.js";
import { acceptView } from "./invitations.js";
import { firstAccessView, usernameReminderView } from "./legal-rep.js";
import { lineView } from "./line-registration.js";
import { migrateView } from "./migration.js";
import { registerView } from "./registration.js";
import { activationView, vatView } from "./vat-registration.js";
import { loginView, resetView } from "./sign-in.js";

/** The screens an address names, each with the flow the portal must offer for it. */
const screens = {
  "#/recover": ["card_recovery", recoverView],
  "#/reset": ["password_reset", resetView],
  "#/register": ["card_registration", registerView],
  "#/migrate": ["card_registration", migrateView],
  "#/user-admin": ["vat_registration", vatView],
  "#/line": ["line_registration", lineView],
  "#/username": ["legal_rep_registration", usernameReminderView],
  "#/accept": ["invitations", () => acceptView()],
};

function route() {
  const [flow, view] = screens[location.hash] ?? [];
  if (view && offers(flow)) { show(view); return; }
  const link = { flow: opened.get("flow"), token: opened.get("token"), code: opened.get("code") };
  if (link.code && offers("invitations")) { show(() => acceptView(link.code)); return; }
  if (link.flow && link.token) {
    if (offers("vat_registration")) { show(() => activationView(link.flow, link.token)); return; }
    if (offers("legal_rep_registration")) { show(() => firstAccessView(link.flow, link.token)); return; }
  }
  show(() => loginView());
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
  document.getElementById("logo").src = state.config.logo ?? `profiles/${state.config.profile}.svg`;
  document.getElementById("lang-it").addEventListener("click", () => setLanguage("it"));
  document.getElementById("lang-en").addEventListener("click", () => setLanguage("en"));
  setHome((notice) => (state.session ? accountView(notice) : loginView(notice)));
  setLanguage(state.lang);
  window.addEventListener("hashchange", route);
  route();
}

start();
