// The property managers' portal (seed 002): the administrator's first access, invitations
// naming a unit's contract, accepted with a new account or added to an existing one, and
// the units a person sees while their contract is active.
import { secondFactorJourneys } from "./second-factor.mjs";

const CODE = /codice di verifica è (\d{6})/;

/** An administrator's first access from the welcome email, ending on the account. */
async function firstAccess(page, { mark, printed, heading, emailedLink }, email, password) {
  await page.goto(await emailedLink(email, "flow", 0));
  await heading(page, "Primo accesso");
  const seen = mark();
  await page.getByRole("button", { name: "Invia il codice" }).click();
  await page.getByLabel("Codice di verifica").fill(await printed(CODE, seen));
  await page.getByLabel("Nuova password").fill(password);
  await page.getByRole("button", { name: "Salva e accedi" }).click();
  await heading(page, "Il tuo account");
}

/** The administrator invites `who` for the unit's contract; answers the emailed link. */
async function invite(page, { mark, heading, sees, emailedLink }, who) {
  await page.getByRole("button", { name: "Gestisci" }).click();
  await heading(page, "Invita una persona", 2);
  await page.getByLabel("Nome", { exact: true }).fill(who.name);
  await page.getByLabel("Email", { exact: true }).fill(who.email);
  await page.getByLabel("Ruolo", { exact: true }).selectOption({ label: who.role });
  await page.getByLabel("Contratto dell'unità").fill(who.contract);
  const seen = mark();
  await page.getByRole("button", { name: "Invita" }).click();
  await sees(page, `Invito inviato a ${who.email}.`);
  return emailedLink(who.email, "code", seen);
}

async function logOut(page, { heading }) {
  await page.getByRole("button", { name: "Torna al tuo account" }).click();
  await page.getByRole("button", { name: "Esci" }).click();
  await heading(page, "Accedi");
}

export default {
  async "C1, C3: Chiara, invited before her lease starts, registers and sees it coming"(page, helpers) {
    const { accessible, heading, sees } = helpers;
    await firstAccess(page, helpers, "elena.galli@studiogalli.example", "Glicine-Bianco-21");
    await accessible(page, "administrator");
    const link = await invite(page, helpers, { name: "Chiara Riva", email: "chiara.riva@example.it", role: "Inquilino", contract: "L-A2" });
    await accessible(page, "company");
    await logOut(page, helpers);
    await page.goto(link);
    await heading(page, "Accetta l'invito");
    await page.getByLabel("Email a cui è arrivato l'invito").fill("chiara.riva@example.it");
    await page.getByLabel("Scegli una password").fill("Glicine-Fiorito-48");
    await accessible(page, "accept");
    await page.getByRole("button", { name: "Accetta l'invito" }).click();
    await heading(page, "Il tuo account");
    await heading(page, "In arrivo", 3);
    await sees(page, "Condominio Villa Rosa: visibile dal");
    await sees(page, "Nessuna unità al momento.");
    await accessible(page, "units");
  },

  async "C1, C6, C2, C3: Roberto, invited at googlemail, sees his flat; a second property's invitation joins his account"(page, helpers) {
    const { base, heading, sees } = helpers;
    await page.goto(base);
    await page.getByLabel("Email").fill("elena.galli@studiogalli.example");
    await page.getByLabel("Password", { exact: true }).fill("Glicine-Bianco-21");
    await page.getByRole("button", { name: "Accedi", exact: true }).click();
    await heading(page, "Il tuo account");
    const first = await invite(page, helpers, { name: "Roberto Sala", email: "roberto.sala@googlemail.com", role: "Proprietario", contract: "P-A1" });
    await logOut(page, helpers);
    await page.goto(first);
    await page.getByLabel("Email a cui è arrivato l'invito").fill("roberto.sala@googlemail.com");
    await page.getByLabel("Scegli una password").fill("Castello-Antico-70");
    await page.getByRole("button", { name: "Accetta l'invito" }).click();
    await heading(page, "Il tuo account");
    await sees(page, "Scala A, interno 1");
    await page.getByRole("button", { name: "Esci" }).click();

    // The second property's administrator invites Roberto at gmail.com: the same account (C6).
    await firstAccess(page, helpers, "paolo.marini@amministrazionimarini.example", "Parco-Verde-33");
    const second = await invite(page, helpers, { name: "Roberto Sala", email: "roberto.sala@gmail.com", role: "Proprietario", contract: "P-P1" });
    await logOut(page, helpers);
    const code = new URL(second).searchParams.get("code");
    await page.getByLabel("Email").fill("roberto.sala@gmail.com");
    await page.getByLabel("Password", { exact: true }).fill("Castello-Antico-70");
    await page.getByRole("button", { name: "Accedi", exact: true }).click();
    await heading(page, "Il tuo account");
    await page.getByRole("button", { name: "Aggiungi un'azienda con un codice" }).click();
    await page.getByLabel("Codice di invito").fill(code);
    await page.getByRole("button", { name: "Accetta l'invito" }).click();
    await sees(page, "Ora hai accesso a");
    await sees(page, "Scala A, interno 1");
    await sees(page, "Palazzina 1, interno 4");
  },
  ...secondFactorJourneys("Elena", async (page) => {
    await page.getByLabel("Email", { exact: true }).fill("elena.galli@studiogalli.example");
    await page.getByLabel("Password", { exact: true }).fill("Glicine-Bianco-21");
    await page.getByRole("button", { name: "Accedi", exact: true }).click();
  }, "Glicine-Bianco-21"),
};
