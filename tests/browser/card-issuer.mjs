// The card issuer's portal (seeds 000, 001): credential recovery, the Administrator's
// registration and company, migration from the old portal, the person's own profile.
import { secondFactorJourneys } from "./second-factor.mjs";

const MARIO = {
  email: "mario.rossi@example.com",
  fiscalCode: "RSSMRA80A01H501U",
  birthDate: "1980-01-01",
  card: "4111 1111 1111 1111",
  key6: "482913",
  phone: "340 123 4544",
  answer: "Fido",
};
const GIULIA = { email: "giulia.bianchi@example.com", password: "Mirtillo-Verde-17", card: "5555 5555 5555 4444", key6: "130572" };
const SARA = { email: "sara.conti@acme.example", password: "Girasole-Viola-31" };
const CODE = /codice di verifica è (\d{6})/;

/** R1: the recovery started for Mario (`what`: "La password" or "L'email con cui accedo"). */
async function startRecovery(page, what) {
  await page.getByLabel(what).check();
  await page.getByLabel("Codice fiscale").fill(MARIO.fiscalCode);
  await page.getByLabel("Data di nascita").fill(MARIO.birthDate);
}

async function logIn(page, { heading }, email, password) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Accedi", exact: true }).click();
  await heading(page, "Il tuo account");
}

async function logOut(page, { heading }) {
  await page.getByRole("button", { name: "Esci" }).click();
  await heading(page, "Accedi");
}

export default {
  async "R3, R6: Mario recovers his password with Key6 and logs in with a new one"(page, { base, fail, mark, printed, accessible, heading, sees }) {
    await page.goto(base);
    await heading(page, "Accedi");
    await accessible(page, "login");
    await page.getByRole("link", { name: "Hai dimenticato le credenziali?" }).click();
    await heading(page, "Recupera le credenziali");
    await startRecovery(page, "La password");
    await accessible(page, "recover");
    await page.getByRole("button", { name: "Avanti" }).click();
    await heading(page, "Come vuoi verificare la tua identità?");
    await accessible(page, "methods");
    await page.getByRole("button", { name: "Con il codice Key6 di una tua carta" }).click();
    await page.getByLabel("Numero della carta").fill(MARIO.card);
    await page.getByLabel("Cifra 1 di 6").click();
    await page.keyboard.type(MARIO.key6);
    await accessible(page, "key6");
    await page.getByRole("button", { name: "Avanti" }).click();
    await heading(page, "Il tuo numero di cellulare");
    if ((await page.getByText("+39 340****44").count()) !== 1) fail("the masked number on file is not shown");
    const seen = mark();
    await page.getByLabel("Numero di cellulare").fill(MARIO.phone);
    await accessible(page, "phone");
    await page.getByRole("button", { name: "Avanti" }).click();
    await heading(page, "Ti abbiamo inviato un SMS");
    await sees(page, "controlla i messaggi spam");
    await accessible(page, "sent");
    const temporary = await printed(/password provvisoria è ([A-Za-z0-9]+)/, seen);

    await page.getByRole("button", { name: "Accedi", exact: true }).click();
    await heading(page, "Accedi");
    await page.getByLabel("Email").fill(MARIO.email);
    await page.getByLabel("Password", { exact: true }).fill(temporary);
    await page.getByRole("button", { name: "Accedi", exact: true }).click();
    await heading(page, "Scegli una nuova password");
    await accessible(page, "change-password");
    const mine = "Una frase nuova e lunga 42";
    await page.getByLabel("Nuova password").fill(mine);
    await page.getByRole("button", { name: "Salva la password" }).click();
    await sees(page, "Password cambiata.");
    await logIn(page, { heading }, MARIO.email, mine);
    await sees(page, "Mario Rossi");
    await accessible(page, "account");
  },

  async "R4: Mario recovers his login email with his security answer"(page, { base, fail, mark, printed, heading, accessible, sees }) {
    await page.goto(`${base}/#/recover`);
    await heading(page, "Recupera le credenziali");
    await startRecovery(page, "L'email con cui accedo");
    await page.getByRole("button", { name: "Avanti" }).click();
    await heading(page, "Come vuoi verificare la tua identità?");
    await page.getByRole("button", { name: "Con la risposta alla domanda di sicurezza" }).click();
    await sees(page, "Come si chiamava il tuo primo cane?");
    await page.getByLabel("Risposta").fill(MARIO.answer);
    await accessible(page, "question");
    await page.getByRole("button", { name: "Avanti" }).click();
    await heading(page, "Il tuo numero di cellulare");
    const seen = mark();
    await page.getByLabel("Numero di cellulare").fill(MARIO.phone);
    await page.getByRole("button", { name: "Avanti" }).click();
    await heading(page, "Ti abbiamo inviato un SMS");
    await sees(page, "l'indirizzo email con cui accedi al portale");
    const email = await printed(/(mario\.rossi@example\.com)/, seen);
    if (email !== MARIO.email) fail(`the SMS names ${email}`);
  },

  async "R1: a wrong fiscal code is answered in the error summary, in English when asked"(page, { base, fail, heading, accessible }) {
    await page.goto(`${base}/#/recover`);
    await page.getByRole("button", { name: "English" }).click();
    await heading(page, "Recover your credentials");
    await page.getByLabel("Fiscal code").fill("RSSMRA80A01H501X");
    await page.getByLabel("Date of birth").fill(MARIO.birthDate);
    await page.getByRole("button", { name: "Next" }).click();
    const summary = page.getByRole("alert");
    await summary.getByText("There is a problem").waitFor();
    const focused = await page.evaluate(() => document.activeElement?.classList.contains("error-summary"));
    if (!focused) fail("the error summary does not take the focus");
    // The problem is the fiscal code's: the summary links to it, and it is marked invalid.
    if ((await page.getByLabel("Fiscal code").getAttribute("aria-invalid")) !== "true") fail("the fiscal code is not marked invalid");
    await summary.getByRole("link").click();
    const onField = await page.evaluate(() => document.activeElement?.getAttribute("name"));
    if (onField !== "fiscal_code") fail(`the summary's link leads to ${onField}, not the fiscal code`);
    await accessible(page, "recover-error");
  },

  async "N4, N5, C4, X8: Sara registers Acme, invites Paolo, who accepts; she changes his role, removes his access and reads the trail"(page, helpers) {
    const { base, fail, mark, printed, accessible, heading, sees } = helpers;
    await page.goto(base);
    await page.getByRole("link", { name: "Registra la tua azienda come Amministratore" }).click();
    await heading(page, "Registrati come Amministratore");
    await page.getByLabel("Numero della carta aziendale").fill("4000 0566 5566 5556");
    await page.getByLabel("Codice di registrazione").fill("ACME-7K2Q-9XPL");
    await page.getByLabel("Numero di cellulare").fill("347 555 0101");
    await accessible(page, "register");
    let seen = mark();
    await page.getByRole("button", { name: "Avanti" }).click();
    await heading(page, "Conferma il numero di cellulare");
    await sees(page, "+39 347****01");
    const first = await printed(CODE, seen);
    // "Send again": a new code, and the first one stops working.
    seen = mark();
    await page.getByRole("button", { name: "Invia di nuovo" }).click();
    await sees(page, "Nuovo codice inviato");
    const second = await printed(CODE, seen);
    if (first !== second) {
      await page.getByLabel("Codice di verifica").fill(first);
      await page.getByRole("button", { name: "Avanti" }).click();
      await page.getByRole("alert").waitFor();
    }
    await page.getByLabel("Codice di verifica").fill(second);
    await accessible(page, "register-code");
    await page.getByRole("button", { name: "Avanti" }).click();
    await heading(page, "Le tue credenziali");
    await sees(page, "Acme Forniture Srl");
    await page.getByLabel("Email").fill(SARA.email);
    await page.getByLabel("Password").fill(SARA.password);
    await page.getByRole("button", { name: "Registrati" }).click();
    await heading(page, "Il tuo account");
    await sees(page, "Acme Forniture Srl: Amministratore");

    // N5: Paolo invited as Supervisor; the code by email, a temporary password by SMS.
    await page.getByRole("button", { name: "Gestisci" }).click();
    await heading(page, "Acme Forniture Srl");
    await heading(page, "Invita una persona", 2);
    await accessible(page, "company");
    await page.getByLabel("Nome").fill("Paolo Neri");
    await page.getByLabel("Email").fill("paolo.neri@acme.example");
    await page.getByLabel("Ruolo", { exact: true }).selectOption({ label: "Supervisore" });
    await page.getByLabel("Cellulare della persona").fill("347 555 0202");
    seen = mark();
    await page.getByRole("button", { name: "Invita" }).click();
    await sees(page, "Invito inviato a paolo.neri@acme.example.");
    const link = await printed(/(http:\/\/127\.0\.0\.1:\d+\/\?code=\S+)/, seen);
    const temporary = await printed(/password provvisoria è ([A-Za-z0-9]+)/, seen);
    // An invitation saved, sent later, then revoked.
    await page.getByLabel("Nome").fill("Lucia Gatti");
    await page.getByLabel("Email").fill("lucia.gatti@acme.example");
    await page.getByLabel("Ruolo", { exact: true }).selectOption({ label: "Monitoraggio" });
    await page.getByLabel("Cellulare della persona").fill("347 555 0303");
    await page.getByLabel("Salva senza inviare").check();
    await page.getByRole("button", { name: "Invita" }).click();
    await sees(page, "Invito a lucia.gatti@acme.example salvato");
    await sees(page, "Da inviare");
    await page.getByRole("button", { name: "Invia di nuovo l'invito a Lucia Gatti" }).click();
    await sees(page, "Invito inviato a lucia.gatti@acme.example.");
    await page.getByRole("button", { name: "Revoca l'invito di Lucia Gatti" }).click();
    await sees(page, "Invito a lucia.gatti@acme.example revocato.");
    await page.getByRole("cell", { name: "paolo.neri@acme.example" }).waitFor();
    if (await page.getByRole("cell", { name: "lucia.gatti@acme.example" }).count()) fail("a revoked invitation is still listed");
    await page.getByRole("button", { name: "Torna al tuo account" }).click();
    await logOut(page, helpers);

    // Paolo opens the emailed link: the code is there; he types the SMS's password and his own.
    await page.goto(link);
    await heading(page, "Accetta l'invito");
    await page.getByLabel("Email a cui è arrivato l'invito").fill("paolo.neri@acme.example");
    await page.getByLabel("Password provvisoria").fill(temporary);
    await page.getByLabel("Scegli una password").fill("Ponte-Levatoio-88");
    await accessible(page, "accept");
    await page.getByRole("button", { name: "Accetta l'invito" }).click();
    await heading(page, "Il tuo account");
    await sees(page, "Acme Forniture Srl: Supervisore");
    await logOut(page, helpers);

    // Sara: Paolo's role changed, then his access removed (C4); the trail shows it all (X8).
    await logIn(page, helpers, SARA.email, SARA.password);
    await page.getByRole("button", { name: "Gestisci" }).click();
    await heading(page, "Persone", 2);
    await page.getByLabel("Ruolo di Paolo Neri", { exact: true }).selectOption({ label: "Monitoraggio" });
    await page.getByRole("button", { name: "Cambia il ruolo di Paolo Neri" }).click();
    await sees(page, "Ruolo di Paolo Neri cambiato.");
    await sees(page, "Monitoraggio");
    await page.getByRole("button", { name: "Rimuovi l'accesso di Paolo Neri" }).click();
    await sees(page, "Accesso rimosso per Paolo Neri.");
    await heading(page, "Registro delle attività", 2);
    const trail = page.getByRole("table").last();
    for (const event of ["Accesso rimosso", "Ruolo cambiato", "Invito accettato", "Invito revocato"]) {
      await trail.getByRole("cell", { name: event, exact: true }).first().waitFor();
    }
    // Sara's own actions carry her name; Paolo, no longer a member, is "someone else".
    await trail.getByRole("cell", { name: "Sara Conti", exact: true }).first().waitFor();
    await trail.getByRole("cell", { name: "Un'altra persona", exact: true }).first().waitFor();
    await accessible(page, "company-trail");
  },

  async "N2, N8: Franca moves from the old portal; Giorgio, after her, sees her named as Administrator"(page, helpers) {
    const { base, mark, printed, accessible, heading, sees } = helpers;
    const migrate = async (username, password, phone, email, newPassword) => {
      await page.goto(`${base}/#/migrate`);
      await heading(page, "Aggiorna le credenziali del vecchio portale");
      await page.getByLabel("Username del vecchio portale").fill(username);
      await page.getByLabel("Password del vecchio portale").fill(password);
      await page.getByLabel("Numero di cellulare").fill(phone);
      await page.getByLabel("Nuova email").fill(email);
      await accessible(page, "migrate");
      const seen = mark();
      await page.getByRole("button", { name: "Avanti" }).click();
      await heading(page, "Conferma il numero di cellulare");
      await page.getByLabel("Codice di verifica").fill(await printed(CODE, seen));
      await page.getByLabel("Nuova password").fill(newPassword);
      await page.getByRole("button", { name: "Aggiorna le credenziali" }).click();
      await heading(page, "Credenziali aggiornate");
      await sees(page, "Fiume Costruzioni Srl");
    };
    await migrate("f.ricci", "Vecchia-Password-1", "348 000 1111", "franca.ricci@fiume.example", "Nuova-Frase-Sicura-9");
    await page.getByRole("button", { name: "Continua" }).click();
    await heading(page, "Il tuo account");
    await sees(page, "Fiume Costruzioni Srl: Amministratore");
    await page.getByRole("button", { name: "Esci" }).click();
    await heading(page, "Accedi");
    await migrate("G.Moretti", "Vecchia-Password-2", "348 000 2222", "giorgio.moretti@fiume.example", "Ponte-Sul-Fiume-12");
    await sees(page, "Franca Ricci");
    await accessible(page, "migrated");
  },

  async "X9: strangers failed on Giulia's name; the login page solves the captcha it is asked for and she is in"(page, helpers) {
    const { base, fail, accessible } = helpers;
    const login = (password) => fetch(`${base}/sessions`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: GIULIA.email, password }),
    });
    for (let n = 0; n < 10; n++) {
      const answer = await login(`Sbagliata-${n}`);
      if (answer.status !== 401) fail(`a stranger's failed login answered ${answer.status}`);
    }
    const asked = await (await login(GIULIA.password)).json();
    if (asked.code !== "captcha_required" || !asked.captcha?.challenge) fail(`no captcha asked for: ${JSON.stringify(asked)}`);
    await page.goto(base);
    await logIn(page, helpers, GIULIA.email, GIULIA.password);
    await accessible(page, "account-after-captcha");
  },

  async "N7, R8, W10: Giulia changes her mobile, views a card's Key6 and deletes her account"(page, helpers) {
    const { base, fail, mark, printed, accessible, heading, sees } = helpers;
    await page.goto(base);
    await logIn(page, helpers, GIULIA.email, GIULIA.password);
    await heading(page, "Dove hai effettuato l'accesso", 2);
    await sees(page, "(questa sessione)");
    // Where it was opened: headless Chromium on this machine, by its network only.
    await sees(page, "Chrome, Linux");
    await sees(page, "127.0.0.0/24");
    await page.getByRole("button", { name: "Cambia il numero di cellulare" }).click();
    await page.getByLabel("Nuovo numero di cellulare").fill("347 111 9999");
    await page.getByLabel("La tua password, per conferma").fill(GIULIA.password);
    const seen = mark();
    await page.getByRole("button", { name: "Invia il codice" }).click();
    await sees(page, "+39 347****99");
    await page.getByLabel("Codice di verifica").fill(await printed(CODE, seen));
    await page.getByRole("button", { name: "Conferma" }).click();
    await sees(page, "Modifica salvata.");
    await sees(page, "+39 347****99");

    await page.getByRole("button", { name: "Visualizza il codice Key6" }).click();
    await page.getByLabel("Numero della carta").fill(GIULIA.card);
    await page.getByLabel("La tua password, per conferma").fill(GIULIA.password);
    await page.getByRole("button", { name: "Mostra il codice" }).click();
    await sees(page, GIULIA.key6);
    await sees(page, "termina con 4444");
    await accessible(page, "key6-view");
    await page.getByRole("button", { name: "Nascondi" }).click();
    if (await page.getByText(GIULIA.key6).count()) fail("the Key6 code is still shown once hidden");

    await page.getByRole("button", { name: "Torna al tuo account" }).click();
    await page.getByRole("button", { name: "Elimina l'account" }).click();
    await page.getByLabel("La tua password, per conferma").fill(GIULIA.password);
    await accessible(page, "delete");
    await page.getByRole("button", { name: "Elimina definitivamente" }).click();
    await sees(page, "Account eliminato.");
    await page.getByLabel("Email").fill(GIULIA.email);
    await page.getByLabel("Password", { exact: true }).fill(GIULIA.password);
    await page.getByRole("button", { name: "Accedi", exact: true }).click();
    await page.getByRole("alert").waitFor();
  },
  ...secondFactorJourneys("Luca", async (page) => {
    await page.getByLabel("Email", { exact: true }).fill("luca.verdi@googlemail.com");
    await page.getByLabel("Password", { exact: true }).fill("Castagna-Rossa-88");
    await page.getByRole("button", { name: "Accedi", exact: true }).click();
  }, "Castagna-Rossa-88"),
};
