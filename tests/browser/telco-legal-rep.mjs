// The business operator's customer area (seed 004): the legal representative's first access
// from the emailed link, the company's employees and lines, the username sent again.
import { secondFactorJourneys } from "./second-factor.mjs";

const CODE = /codice di verifica è (\d{6})/;
const MARCO = { email: "marco.bianchi@officinenord.example", password: "Sorgente-Chiara-31" };

export default {
  async "T1, T2: Marco's first access from the emailed link, the code by SMS"(page, helpers) {
    const { mark, printed, accessible, heading, sees } = helpers;
    await page.goto(await helpers.emailedLink(MARCO.email, "flow", 0));
    await heading(page, "Primo accesso");
    await accessible(page, "first-access");
    const seen = mark();
    await page.getByRole("button", { name: "Invia il codice" }).click();
    await sees(page, "+39 347****01");
    await page.getByLabel("Codice di verifica").fill(await printed(CODE, seen));
    await page.getByLabel("Nuova password").fill(MARCO.password);
    await accessible(page, "first-access-code");
    await page.getByRole("button", { name: "Salva e accedi" }).click();
    await heading(page, "Il tuo account");
    await sees(page, "Officine Nord");
    await page.getByRole("button", { name: "Esci" }).click();
    await page.getByLabel("Username").fill(MARCO.email);
    await page.getByLabel("Password", { exact: true }).fill(MARCO.password);
    await page.getByRole("button", { name: "Accedi", exact: true }).click();
    await heading(page, "Il tuo account");
  },

  async "T3, T4, T5: Marco adds an employee, sends the email again, associates Luca's line and registers it"(page, helpers) {
    const { base, mark, printed, accessible, heading, sees } = helpers;
    await page.goto(base);
    await page.getByLabel("Username").fill(MARCO.email);
    await page.getByLabel("Password", { exact: true }).fill(MARCO.password);
    await page.getByRole("button", { name: "Accedi", exact: true }).click();
    await heading(page, "Il tuo account");
    await page.getByRole("button", { name: "Gestisci" }).click();
    await heading(page, "Linee dell'azienda", 2);
    await accessible(page, "company");
    // T3: an employee added now.
    await page.getByLabel("Nome").fill("Sara Villa");
    await page.getByLabel("Email").fill("sara.villa@officinenord.example");
    let seen = mark();
    await page.getByRole("button", { name: "Invita" }).click();
    await sees(page, "Invito inviato a sara.villa@officinenord.example.");
    await printed(/Email to sara\.villa@officinenord\.example/, seen);
    // T5: the username email sent again.
    seen = mark();
    await page.getByRole("button", { name: "Invia di nuovo l'invito a Sara Villa" }).click();
    await sees(page, "Invito inviato a sara.villa@officinenord.example.");
    await printed(/Email to sara\.villa@officinenord\.example/, seen);
    // T4: Luca's line, associated with him (prefilled from the contract), then registered.
    await page.getByRole("button", { name: "Associa la linea +393475550211" }).click();
    await heading(page, "Associa la linea +393475550211 a un dipendente", 2);
    await page.getByLabel("Nome").waitFor();
    const prefilled = await page.getByLabel("Nome").inputValue();
    if (prefilled !== "Luca Neri") helpers.fail(`the referent is not prefilled: ${prefilled}`);
    await accessible(page, "associate");
    await page.getByRole("button", { name: "Associa", exact: true }).click();
    await sees(page, "salvato");
    await sees(page, "Associata, da registrare");
    seen = mark();
    await page.getByRole("button", { name: "Registra la linea +393475550211" }).click();
    await sees(page, "Registrata, in attesa del dipendente");
    await printed(/Email to luca\.neri@officinenord\.example/, seen);
  },

  async "T1, T2: Giulia asks for her username email again; without a mobile, her code comes by a second email"(page, helpers) {
    const { base, mark, printed, heading, sees, accessible } = helpers;
    const email = "giulia.ferri@lagotech.example";
    await page.goto(base);
    await page.getByRole("link", { name: "Non trovi l'email con la username?" }).click();
    await heading(page, "Ricevi di nuovo la username");
    await page.getByLabel("Email").fill(email);
    await accessible(page, "username-reminder");
    let seen = mark();
    await page.getByRole("button", { name: "Invia" }).click();
    await sees(page, "Se l'email è registrata");
    await page.goto(await helpers.emailedLink(email, "flow", seen));
    await heading(page, "Primo accesso");
    seen = mark();
    await page.getByRole("button", { name: "Invia il codice" }).click();
    await sees(page, "g****i@lagotech.example");
    await page.getByLabel("Codice di verifica").fill(await printed(CODE, seen));
    await page.getByLabel("Nuova password").fill("Lago-Tranquillo-58");
    await page.getByRole("button", { name: "Salva e accedi" }).click();
    await heading(page, "Il tuo account");
    await sees(page, "Lago Tech");
  },
  ...secondFactorJourneys("Marco", async (page) => {
    await page.getByLabel("Username", { exact: true }).fill("marco.bianchi@officinenord.example");
    await page.getByLabel("Password", { exact: true }).fill("Sorgente-Chiara-31");
    await page.getByRole("button", { name: "Accedi", exact: true }).click();
  }, "Sorgente-Chiara-31"),
};
