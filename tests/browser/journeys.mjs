// The portal pages in a real headless Chromium, against the local gateway: each journey as a
// person walks it, named after its scenario IDs, with codes, links and temporary passwords
// read from the gateway's printed outbox; axe-core on every screen checked (no serious or
// critical violation); no error in the console, no Content-Security-Policy violation.
// The journeys of each profile are in tests/browser/<profile>.mjs.
//
// VARCO_PROFILE=card-issuer VARCO_BASE=http://127.0.0.1:8080 VARCO_GATEWAY_LOG=gateway.log \
//   VARCO_GATEWAY_DATA=.varco VARCO_BROWSER_MODULES=.tools/browser/node_modules \
//   node tests/browser/journeys.mjs
// (./scripts/test installs Chromium and the modules, starts a gateway per profile and runs
// this.) VARCO_SCREENSHOTS=docs/screenshots also saves the screens checked there.
import { createHmac } from "node:crypto";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";

const modules = process.env.VARCO_BROWSER_MODULES;
const require = createRequire(path.resolve(modules) + "/");
const { chromium } = require("playwright-core");
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const profile = process.env.VARCO_PROFILE ?? "card-issuer";
const gatewayLog = process.env.VARCO_GATEWAY_LOG;
const screenshots = process.env.VARCO_SCREENSHOTS;

function fail(message) {
  throw new Error(message);
}

/** What a journey is given: the gateway's address, and ways to read and check what it did. */
export const helpers = {
  base: process.env.VARCO_BASE,
  fail,

  /** Where the gateway's printed output ends now: `printed` looks after it. */
  mark: () => readFileSync(gatewayLog, "utf8").length,

  /** Waits for the gateway to print a message matching `pattern` after `since`; its group. */
  async printed(pattern, since) {
    for (let i = 0; i < 100; i++) {
      const match = readFileSync(gatewayLog, "utf8").slice(since).match(pattern);
      if (match) return match[1];
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    fail(`the gateway printed no message matching ${pattern}`);
  },

  /** The link (to these pages, with `?<query>=`) of the email printed to `email` after `since`. */
  emailedLink(email, query, since) {
    const to = email.replace(/\./g, "\\.");
    return helpers.printed(new RegExp(`Email to ${to}\\n[^\\n]*\\n[^\\n]*(http://127\\.0\\.0\\.1:\\d+/\\?${query}=\\S+)`), since);
  },

  /** axe-core on the screen, nothing missing shown, no sideways scrolling at 360 px; saved as
   * `<profile>-<screen>.png` on request. */
  async accessible(page, screen) {
    const text = await page.evaluate(() => document.body.innerText);
    if (/\b(null|undefined|NaN)\b|\{\w+\}|\[object/.test(text)) fail(`${screen} shows a value that is missing: ${text}`);
    const result = await page.evaluate(`${axeSource}; axe.run(document, { resultTypes: ["violations"] })`);
    const serious = result.violations.filter((v) => ["serious", "critical"].includes(v.impact));
    if (serious.length) {
      fail(`${screen}: ${serious.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target).join(" ")}`).join("; ")}`);
    }
    if (screenshots) await page.screenshot({ path: path.join(screenshots, `${profile}-${screen}.png`), fullPage: true });
    // Phones: the screen fits 360 px without sideways scrolling.
    const size = page.viewportSize();
    await page.setViewportSize({ width: 360, height: size.height });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    await page.setViewportSize(size);
    if (wide > 360) fail(`${screen} is ${wide} px wide on a 360 px screen`);
  },

  async heading(page, text, level = 1) {
    await page.getByRole("heading", { level, name: text }).waitFor({ timeout: 20000 });
  },

  /** Waits for `text` to show. */
  async sees(page, text) {
    await page.getByText(text).first().waitFor({ timeout: 20000 });
  },

  /**
   * W9: what the operator's network gateway adds to a request from `line` (without `+`):
   * the line, the time and their HMAC, with the request, under the deployment's gateway key
   * (the local gateway's is in its data folder's secrets.json).
   */
  networkHeaders(line) {
    const secrets = JSON.parse(readFileSync(path.join(process.env.VARCO_GATEWAY_DATA, "secrets.json"), "utf8"));
    const time = String(Math.floor(Date.now() / 1000));
    const proof = createHmac("sha256", Buffer.from(secrets.gateway_key, "base64"))
      .update(`POST /sessions/autologin\n${line}\n${time}`).digest("hex");
    return { "x-msisdn": line, "x-varco-gateway-time": time, "x-varco-gateway-proof": proof };
  },
};

const { default: journeys } = await import(`./${profile}.mjs`);
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
      await journey(page, helpers);
      if (problems.length) fail(`console errors: ${problems.join(" | ")}`);
      console.log(`ok   ${profile}: ${name}`);
    } catch (error) {
      failed++;
      const shown = await page.evaluate(() => document.body.innerText).catch(() => "");
      console.log(`FAIL ${profile}: ${name}\n     ${error.message}\n     at ${page.url()}, showing:\n${shown}`);
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
}
if (failed) {
  console.log(`${failed} journey(s) of ${profile} failed`);
  process.exit(1);
}
