// M2, M3, M4: the same in every profile. A person sets up an authenticator app from the
// account (the code typed is computed here from the secret the page shows, as the app
// would), logs out, logs in with the password and the app's code, then with a recovery
// code, and turns it off again; then adds a passkey with Chromium's virtual authenticator,
// logs in with it alone, then with the password and it, and removes it (so the profile's
// other journeys find the login as it was).
import { createHmac } from "node:crypto";

/** The code an authenticator app shows for base32 `secret`, `ahead` seconds from now
 * (RFC 6238: HMAC-SHA1, 30 s, 6 digits), computed here apart from Varco's code. */
export function appCode(secret, ahead = 0) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/\s/g, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const seed = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor((Date.now() / 1000 + ahead) / 30)));
  const mac = createHmac("sha1", seed).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/**
 * The journeys of `name`, whom `logIn(page)` logs in (it fills the login's fields and sends
 * them), whose password is `password`.
 */
export function secondFactorJourneys(name, logIn, password) {
  return {
    [`M2, M4: ${name} sets up an authenticator app, logs in with its code, then with a recovery code`]: authenticatorJourney(logIn, password),
    [`M3: ${name} adds a passkey, logs in with it alone, then after the password, and removes it`]: passkeyJourney(logIn, password),
  };
}

function authenticatorJourney(logIn, password) {
  return async (page, { base, accessible, heading, sees }) => {
    await page.goto(base);
    await heading(page, "Accedi");
    await logIn(page);
    await heading(page, "Il tuo account");
    await sees(page, "Non attiva: per accedere basta la password.");
    await page.getByRole("button", { name: "Attiva un'app di autenticazione" }).click();
    await heading(page, "Attiva un'app di autenticazione");
    await page.getByLabel("La tua password, per conferma").fill(password);
    await page.getByRole("button", { name: "Avanti" }).click();
    await page.getByRole("img", { name: "Codice QR da inquadrare con l'app di autenticazione" }).waitFor();
    const secret = await page.locator("#authenticator-secret").innerText();
    await page.getByLabel("Codice dell'app").fill(appCode(secret));
    await accessible(page, "authenticator-setup");
    await page.getByRole("button", { name: "Conferma" }).click();
    await heading(page, "I tuoi codici di recupero");
    await accessible(page, "recovery-codes");
    const codes = await page.locator(".recovery-codes li").allInnerTexts();
    if (codes.length !== 10) throw new Error(`${codes.length} recovery codes shown`);
    await page.getByRole("button", { name: "Torna al tuo account" }).click();
    await sees(page, "Attiva con un'app di autenticazione. Codici di recupero rimasti: 10.");
    await page.getByRole("button", { name: "Esci" }).click();

    // The password, then the app's code (the next one: the last was used to set it up).
    await heading(page, "Accedi");
    await logIn(page);
    await heading(page, "Conferma l'accesso");
    await accessible(page, "second-step");
    await page.getByLabel("Codice dell'app").fill(appCode(secret, 30));
    await page.getByRole("button", { name: "Accedi", exact: true }).click();
    await heading(page, "Il tuo account");
    await page.getByRole("button", { name: "Esci" }).click();

    // The password, then a recovery code instead.
    await heading(page, "Accedi");
    await logIn(page);
    await heading(page, "Conferma l'accesso");
    await page.getByRole("button", { name: "Non hai l'app? Usa un codice di recupero" }).click();
    await page.getByLabel("Codice di recupero").fill(codes[0]);
    await accessible(page, "second-step-recovery-code");
    await page.getByRole("button", { name: "Accedi", exact: true }).click();
    await heading(page, "Il tuo account");
    await sees(page, "Codici di recupero rimasti: 9.");

    await page.getByRole("button", { name: "Disattiva la verifica in due passaggi" }).click();
    await heading(page, "Disattiva la verifica in due passaggi");
    await page.getByLabel("La tua password, per conferma").fill(password);
    await page.getByRole("button", { name: "Disattiva la verifica in due passaggi" }).click();
    await sees(page, "Non attiva: per accedere basta la password.");
  };
}

/**
 * Chromium's virtual authenticator (DevTools' WebAuthn domain): a platform authenticator
 * that keeps discoverable passkeys and verifies its person without asking.
 */
async function virtualAuthenticator(page) {
  const devtools = await page.context().newCDPSession(page);
  await devtools.send("WebAuthn.enable");
  const { authenticatorId } = await devtools.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  return { devtools, authenticatorId };
}

function passkeyJourney(logIn, password) {
  return async (page, { base, accessible, heading, sees }) => {
    // A passkey belongs to a domain: the pages on `localhost`, the profile's relying party.
    const local = base.replace("127.0.0.1", "localhost");
    await page.goto(local);
    const { devtools, authenticatorId } = await virtualAuthenticator(page);
    await heading(page, "Accedi");
    await logIn(page);
    await heading(page, "Il tuo account");
    await page.getByRole("button", { name: "Aggiungi una passkey" }).click();
    await heading(page, "Aggiungi una passkey");
    await page.getByLabel("Nome della passkey").fill("Telefono");
    await page.getByLabel("La tua password, per conferma").fill(password);
    await accessible(page, "passkey-add");
    await page.getByRole("button", { name: "Avanti" }).click();
    await heading(page, "I tuoi codici di recupero");
    const { credentials } = await devtools.send("WebAuthn.getCredentials", { authenticatorId });
    if (credentials.length !== 1 || !credentials[0].isResidentCredential) {
      throw new Error(`the authenticator holds ${JSON.stringify(credentials)}`);
    }
    await page.getByRole("button", { name: "Torna al tuo account" }).click();
    await sees(page, "Attiva con una passkey. Codici di recupero rimasti: 10.");
    await sees(page, "Telefono, aggiunta il");
    await accessible(page, "account-with-passkey");
    await page.getByRole("button", { name: "Esci" }).click();

    // The passkey alone.
    await heading(page, "Accedi");
    await page.getByRole("button", { name: "Accedi con una passkey" }).click();
    await heading(page, "Il tuo account");
    await sees(page, "usata l'ultima volta il");
    await page.getByRole("button", { name: "Esci" }).click();

    // The password, then the passkey.
    await heading(page, "Accedi");
    await logIn(page);
    await heading(page, "Conferma l'accesso");
    await accessible(page, "second-step-passkey");
    await page.getByRole("button", { name: "Usa una passkey" }).click();
    await heading(page, "Il tuo account");

    await page.getByRole("button", { name: "Rimuovi la passkey Telefono" }).click();
    await heading(page, "Rimuovi la passkey Telefono");
    await page.getByLabel("La tua password, per conferma").fill(password);
    await page.getByRole("button", { name: "Rimuovi", exact: true }).click();
    await sees(page, "Non attiva: per accedere basta la password.");
  };
}
