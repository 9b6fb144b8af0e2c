// The portal pages in a real headless Chromium, against the local gateway: each journey as a
// person walks it, named after its scenario ID, with codes and temporary passwords read from
// the gateway's printed outbox; axe-core on every screen (no serious or critical violation);
// no error in the console, no Content-Security-Policy violation.
//
// VARCO_BASE=http://127.0.0.1:8080 VARCO_GATEWAY_LOG=gateway.log \
//   VARCO_BROWSER_MODULES=.tools/browser/node_modules node tests/browser/journeys.mjs
// (./scripts/test installs Chromium and the modules, starts the gateway and runs this.)
// VARCO_SCREENSHOTS=docs/screenshots also saves the main screens there.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";

const modules = process.env.VARCO_BROWSER_MODULES;
const require = createRequire(path.resolve(modules) + "/");
const { chromium } = require("playwright-core");
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const base = process.env.VARCO_BASE;
const gatewayLog = process.env.VARCO_GATEWAY_LOG;
const screenshots = process.env.VARCO_SCREENSHOTS;

const MARIO = {
  email: "mario.rossi@example.com",
  fiscalCode: "RSSMRA80A01H501U",
  birthDate: "1980-01-01",
  card: "4111 1111 1111 1111",
  key6: "482913",
  phone: "340 123 4544",
  answer: "Fido",
};

function fail(message) {
  throw new Error(message);
}

/** Waits for the gateway to print an SMS to `phone` matching `pattern`; answers its group. */
async function printed(pattern, seenBefore) {
  for (let i = 0; i < 100; i++) {
    const log = readFileSync(gatewayLog, "utf8").slice(seenBefore);
    const match = log.match(pattern);
    if (match) return match[1];
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  fail(`the gateway printed no message matching ${pattern}`);
}

async function accessible(page, screen) {
  const text = await page.evaluate(() => document.body.innerText);
  if (/\b(null|undefined|NaN)\b|\{\w+\}/.test(text)) fail(`${screen} shows a value that is missing: ${text}`);
  const result = await page.evaluate(`${axeSource}; axe.run(document, { resultTypes: ["violations"] })`);
  const serious = result.violations.filter((v) => ["serious", "critical"].includes(v.impact));
  if (serious.length) {
    fail(`${screen}: ${serious.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target).join(" ")}`).join("; ")}`);
  }
  if (screenshots) await page.screenshot({ path: path.join(screenshots, `${screen}.png`), fullPage: true });
}

/** R1: the recovery started for Mario (`what`: "La password" or "L'email con cui accedo"). */
async function startRecovery(page, what) {
  await page.getByLabel(what).check();
  await page.getByLabel("Codice fiscale").fill(MARIO.fiscalCode);
  await page.getByLabel("Data di nascita").fill(MARIO.birthDate);
}

async function heading(page, text) {
  await page.getByRole("heading", { level: 1, name: text }).waitFor({ timeout: 20000 });
}

const journeys = {
  async "R3, R6: Mario recovers his password with Key6 and logs in with a new one"(page) {
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
    const hint = await page.getByText("+39 340****44").count();
    if (hint !== 1) fail("the masked number on file is not shown");
    const seen = readFileSync(gatewayLog, "utf8").length;
    await page.getByLabel("Numero di cellulare").fill(MARIO.phone);
    await accessible(page, "phone");
    await page.getByRole("button", { name: "Avanti" }).click();
    await heading(page, "Ti abbiamo inviato un SMS");
    await page.getByText("controlla i messaggi spam").waitFor();
    await accessible(page, "sent");
    const temporary = await printed(/password provvisoria è ([A-Za-z0-9]+)/, seen);

    await page.getByRole("button", { name: "Accedi" }).click();
    await heading(page, "Accedi");
    await page.getByLabel("Email").fill(MARIO.email);
    await page.getByLabel("Password").fill(temporary);
    await page.getByRole("button", { name: "Accedi" }).click();
    await heading(page, "Scegli una nuova password");
    await accessible(page, "change-password");
    const mine = "Una frase nuova e lunga 42";
    await page.getByLabel("Nuova password").fill(mine);
    await page.getByRole("button", { name: "Salva la password" }).click();
    await page.getByText("Password cambiata.").waitFor();
    await page.getByLabel("Email").fill(MARIO.email);
    await page.getByLabel("Password").fill(mine);
    await page.getByRole("button", { name: "Accedi" }).click();
    await heading(page, "Il tuo account");
    await page.getByText("Mario Rossi").waitFor();
    await accessible(page, "account");
  },

  async "R4: Mario recovers his login email with his security answer"(page) {
    await page.goto(`${base}/#/recover`);
    await heading(page, "Recupera le credenziali");
    await startRecovery(page, "L'email con cui accedo");
    await page.getByRole("button", { name: "Avanti" }).click();
    await heading(page, "Come vuoi verificare la tua identità?");
    await page.getByRole("button", { name: "Con la risposta alla domanda di sicurezza" }).click();
    await page.getByText("Come si chiamava il tuo primo cane?").waitFor();
    await page.getByLabel("Risposta").fill(MARIO.answer);
    await accessible(page, "question");
    await page.getByRole("button", { name: "Avanti" }).click();
    await heading(page, "Il tuo numero di cellulare");
    const seen = readFileSync(gatewayLog, "utf8").length;
    await page.getByLabel("Numero di cellulare").fill(MARIO.phone);
    await page.getByRole("button", { name: "Avanti" }).click();
    await heading(page, "Ti abbiamo inviato un SMS");
    await page.getByText("l'indirizzo email con cui accedi al portale").waitFor();
    const email = await printed(/(mario\.rossi@example\.com)/, seen);
    if (email !== MARIO.email) fail(`the SMS names ${email}`);
  },

  async "R1: a wrong fiscal code is answered in the error summary, in English when asked"(page) {
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
    await accessible(page, "recover-error");
  },
};

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let failed = 0;
try {
  for (const [name, journey] of Object.entries(journeys)) {
    const context = await browser.newContext({ locale: "it-IT" });
    const page = await context.newPage();
    const problems = [];
    // An API's 4xx is an answer the page shows (the browser logs it as a failed resource);
    // a page resource that does not load, a script error or a CSP violation is a problem.
    page.on("console", (message) => {
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
        problems.push(message.text());
      }
    });
    page.on("response", (response) => {
      const kind = response.request().resourceType();
      if (["document", "script", "stylesheet", "image", "font", "manifest"].includes(kind) && response.status() >= 400) {
        problems.push(`${response.status()} for ${response.url()}`);
      }
    });
    page.on("pageerror", (error) => problems.push(error.message));
    try {
      await journey(page);
      if (problems.length) fail(`console errors: ${problems.join(" | ")}`);
      console.log(`ok   ${name}`);
    } catch (error) {
      failed++;
      console.log(`FAIL ${name}\n     ${error.message}`);
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
}
if (failed) {
  console.log(`${failed} journey(s) failed`);
  process.exit(1);
}
