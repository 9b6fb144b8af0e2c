// The business mobile operator's self-care (seed 003): the User Admin's registration and
// activation, employees by line, the password reset, a second SIM, autologin, deletion.
import { secondFactorJourneys } from "./second-factor.mjs";

const CODE = /codice di verifica è (\d{6})/;
const LUCA = { line: "347 555 0211", email: "luca.neri@officinenord.example" };

async function logIn(page, { heading }, username, password) {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Accedi", exact: true }).click();
  await heading(page, "Il tuo account");
}

async function logOut(page, { heading }) {
  await page.getByRole("button", { name: "Esci" }).click();
  await heading(page, "Accedi");
}

export default {
  async "W2: Marco registers as User Admin and activates his profile from the emailed link"(page, helpers) {
    const { base, mark, printed, accessible, heading, sees } = helpers;
    await page.goto(base);
    await heading(page, "Accedi");
    await accessible(page, "login");
    await page.getByRole("link", { name: "Registra la tua azienda come User Admin" }).click();
    await heading(page, "Registrazione User Admin");
    await page.getByLabel("Partita IVA").fill("04812230151");
    await page.getByLabel("Nome", { exact: true }).fill("Marco");
    await page.getByLabel("Cognome").fill("Bianchi");
    await page.getByLabel("Codice fiscale").fill("BNCMRC75C14F205W");
    await page.getByLabel("Data di nascita").fill("1975-03-14");
    await page.getByLabel("Email").fill("marco.bianchi@officinenord.example");
    await page.getByLabel("Numero di cellulare").fill("347 555 0201");
    await accessible(page, "user-admin");
    const seen = mark();
    await page.getByRole("button", { name: "Avanti" }).click();
    await heading(page, "Controlla la tua email");
    const link = await printed(/(http:\/\/127\.0\.0\.1:\d+\/\?flow=\S+)/, seen);
    await page.goto(link);
    await heading(page, "Attiva il tuo profilo");
    await page.getByLabel("Scegli una username").fill("MarcoB");
    await page.getByLabel("Password").fill("Scogliera-Blu-44");
    await accessible(page, "activation");
    await page.getByRole("button", { name: "Attiva il profilo" }).click();
    await heading(page, "Il tuo account");
    await sees(page, "Officine Nord");
    await logOut(page, helpers);
    await logIn(page, helpers, "MarcoB", "Scogliera-Blu-44");
  },

  async "W7, W11: Luca registers his line with a code sent again, then adds a second SIM"(page, helpers) {
    const { base, mark, printed, accessible, heading, sees } = helpers;
    await page.goto(base);
    await page.getByRole("link", { name: "Sei un dipendente? Registrati con la tua linea" }).click();
    await heading(page, "Registrati con la tua linea");
    await page.getByLabel("Numero di linea").fill(LUCA.line);
    await page.getByLabel("Email").fill(LUCA.email);
    await accessible(page, "line");
    let seen = mark();
    await page.getByRole("button", { name: "Avanti" }).click();
    await heading(page, "Conferma la linea");
    await printed(CODE, seen);
    seen = mark();
    await page.getByRole("button", { name: "Invia di nuovo" }).click();
    await sees(page, "Nuovo codice inviato a +39 347****11");
    const code = await printed(CODE, seen);
    await page.getByLabel("Codice di verifica").fill(code);
    await page.getByLabel("Nuova password").fill("Onda-Lunga-2024");
    await accessible(page, "line-code");
    await page.getByRole("button", { name: "Registrati" }).click();
    await heading(page, "Il tuo account");
    await sees(page, "+39 347****11");

    await page.getByRole("button", { name: "Associa un'altra SIM" }).click();
    await page.getByLabel("Numero di linea").fill("347 555 0214");
    await page.getByLabel("La tua password, per conferma").fill("Onda-Lunga-2024");
    seen = mark();
    await page.getByRole("button", { name: "Avanti" }).click();
    await sees(page, "+39 347****14");
    await page.getByLabel("Codice di verifica").fill(await printed(CODE, seen));
    await page.getByRole("button", { name: "Conferma" }).click();
    await sees(page, "Modifica salvata.");
    await sees(page, "+39 347****11, +39 347****14");
    await accessible(page, "account");
    await logOut(page, helpers);
    // W8: an employee logs in with the line.
    await logIn(page, helpers, LUCA.line, "Onda-Lunga-2024");
  },

  async "W7: a data-only SIM registers by its PUK, the code coming by email"(page, helpers) {
    const { base, mark, printed, accessible, heading, sees } = helpers;
    await page.goto(`${base}/#/line`);
    await heading(page, "Registrati con la tua linea");
    await page.getByLabel("Numero di linea").fill("347 555 0213");
    await page.getByLabel("Email").fill("sensore.magazzino@officinenord.example");
    await page.getByRole("button", { name: "Avanti" }).click();
    await heading(page, "SIM solo dati");
    await page.getByLabel("PUK della SIM").fill("33445566");
    await accessible(page, "puk");
    const seen = mark();
    await page.getByRole("button", { name: "Avanti" }).click();
    await heading(page, "Conferma la linea");
    await sees(page, "s****o@officinenord.example");
    await page.getByLabel("Codice di verifica").fill(await printed(/codice di verifica è (\d{6})/, seen));
    await page.getByLabel("Nuova password").fill("Sensore-Dati-77");
    await page.getByRole("button", { name: "Registrati" }).click();
    await heading(page, "Il tuo account");
  },

  async "W9: on the operator's network Luca logs in with \"Accedi direttamente\"; elsewhere he is told why not"(page, helpers) {
    const { base, heading, sees, accessible, networkHeaders } = helpers;
    await page.goto(base);
    await page.getByRole("button", { name: "Accedi direttamente" }).click();
    await page.getByRole("alert").waitFor();
    await accessible(page, "autologin-refused");
    // The operator's network gateway adds the line and its proof to the request.
    await page.route("**/sessions/autologin", (route) =>
      route.continue({ headers: { ...route.request().headers(), ...networkHeaders("393475550211") } }));
    await page.getByRole("button", { name: "Accedi direttamente" }).click();
    await heading(page, "Il tuo account");
    await sees(page, LUCA.email);
  },

  async "W5, W8, W10: Luca resets his password by his line, logs in with it, then deletes his account"(page, helpers) {
    const { base, mark, printed, accessible, heading, sees } = helpers;
    await page.goto(base);
    await page.getByRole("link", { name: "Hai dimenticato la password?" }).click();
    await heading(page, "Hai dimenticato la password?");
    await page.getByLabel("Username").fill(LUCA.line);
    await accessible(page, "reset");
    await page.getByRole("button", { name: "Avanti" }).click();
    await heading(page, "Ricevi un codice");
    await page.getByLabel("Via SMS").check();
    await page.getByLabel("Numero di cellulare").fill(LUCA.line);
    await accessible(page, "reset-channel");
    const seen = mark();
    await page.getByRole("button", { name: "Invia il codice" }).click();
    await heading(page, "Scegli una nuova password");
    await page.getByLabel("Codice di verifica").fill(await printed(CODE, seen));
    await page.getByLabel("Nuova password").fill("Marea-Alta-2025");
    await page.getByRole("button", { name: "Salva la password" }).click();
    await sees(page, "Password cambiata.");
    await logIn(page, helpers, LUCA.line, "Marea-Alta-2025");

    await page.getByRole("button", { name: "Elimina l'account" }).click();
    await page.getByLabel("La tua password, per conferma").fill("Marea-Alta-2025");
    await page.getByRole("button", { name: "Elimina definitivamente" }).click();
    await sees(page, "Account eliminato.");
  },
  ...secondFactorJourneys("Marco", async (page) => {
    await page.getByLabel("Username", { exact: true }).fill("MarcoB");
    await page.getByLabel("Password", { exact: true }).fill("Scogliera-Blu-44");
    await page.getByRole("button", { name: "Accedi", exact: true }).click();
  }, "Scogliera-Blu-44"),
};
