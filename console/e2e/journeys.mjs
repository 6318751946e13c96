// End-to-end journeys of every console screen in headless Chromium (Debian's, driven by playwright-core)
// against a real server + Envoy. Run by tests/e2e/test_console_browser.py:
//   node e2e/journeys.mjs <base url> <write token> <project uuid> <screenshot dir>
// Each journey prints "ok <name>" or throws; a screenshot of every screen lands in the directory.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [base, token, project, out] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"] });
const problems = [];
let lastPage = null;

async function newPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  lastPage = page;
  // offline: every request stays on the server's own origin (nothing from a CDN)
  page.on("request", (r) => !r.url().startsWith(base) && !r.url().startsWith("data:") && !r.url().startsWith("blob:") && problems.push(`external request: ${r.url()}`));
  page.on("pageerror", (e) => problems.push(`page error: ${e.message} ${e.stack}`));
  page.on("console", (m) => m.type() === "error" && !/Failed to load resource|NotAllowedError|play\(\)/.test(m.text()) && problems.push(`console error: ${m.text()}`));
  return page;
}

async function unlock(page) {
  await page.getByLabel("Write token").fill(token);
  await page.getByRole("button", { name: "Unlock writes", exact: true }).click();
  await page.getByTestId("token-state").waitFor();
}

const shot = async (page, name) => {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
};
const journeys = {
  async home() {
    const page = await newPage();
    await page.goto(base + "/");
    const tracks = page.getByTestId("service-aura").locator("dd").first();
    await page.waitForFunction((el) => /\d/.test(el.textContent), await tracks.elementHandle());
    if (Number((await tracks.textContent()).replace(/\D/g, "")) < 1) throw new Error("home: no tracks counted");
    await page.getByTestId("service-opentheater").getByText("projects").waitFor();
    await shot(page, "home");
    await page.getByLabel("Colour scheme").selectOption("dark");
    await page.waitForTimeout(500); // Pico fades colours between schemes
    await shot(page, "home-dark");
    await page.getByRole("link", { name: "Library" }).first().click();
    await page.getByRole("heading", { name: "Library" }).waitFor();
    await page.context().close();
  },

  async library() {
    const page = await newPage();
    await page.goto(base + "/library");
    const rows = page.getByTestId("tracks").locator("[data-track-id]");
    await rows.first().waitFor();
    const all = await rows.count();
    // artist → albums → tracks of that album
    await page.getByRole("region", { name: "Artists" }).getByRole("button").nth(1).click();
    const album = page.getByTestId("albums").getByRole("button").first();
    await album.waitFor();
    const covers = await page.evaluate(async () => (await (await fetch("/aura/albums")).json()).data.filter((a) => a.relationships.images.data.length).length);
    if (covers && !(await page.getByTestId("albums").locator("img").count())) throw new Error("library: no cover art shown");
    await album.click();
    await page.waitForFunction((n) => document.querySelectorAll("[data-track-id]").length > 0 && document.querySelectorAll("[data-track-id]").length < n, all);
    // play: Range requests for the original file
    const ranges = [];
    page.on("request", (r) => r.url().includes("/audio") && ranges.push(r.headers()["range"] ?? ""));
    await rows.first().getByRole("button", { name: /^Play/ }).click();
    await page.waitForFunction(() => (document.querySelector("audio")?.readyState ?? 0) >= 1);
    const duration = await page.evaluate(() => document.querySelector("audio").duration);
    if (!(duration > 0)) throw new Error("library: audio has no duration");
    await page.evaluate((d) => (document.querySelector("audio").currentTime = d / 2), duration);
    await page.waitForFunction(() => document.querySelector("audio").readyState >= 2);
    if (!ranges.some((r) => r.startsWith("bytes="))) throw new Error(`library: no Range request (${ranges})`);
    await rows.nth(1).getByRole("button", { name: /^Queue/ }).click();
    await page.getByRole("list", { name: "Queue" }).getByRole("listitem").nth(1).waitFor();
    // format choice: on-the-fly transcoding
    await page.getByLabel("Format").selectOption("audio/ogg;bitrate=128000");
    await page.waitForFunction(() => document.querySelector("audio").src.includes("accept=audio%2Fogg"));
    await page.waitForFunction(() => document.querySelector("audio").readyState >= 1);
    await page.getByLabel("Format").selectOption("");
    // rescan with live progress (needs the token)
    await unlock(page);
    await page.getByText("Rescan the library").click();
    await page.getByTestId("rescan").click();
    await page.getByTestId("scan-summary").waitFor({ timeout: 60_000 });
    await shot(page, "library");
    await page.context().close();
  },

  async libraryPhone() {
    const page = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.goto(base + "/library");
    await page.getByTestId("tracks").locator("[data-track-id]").first().waitFor();
    await shot(page, "library-phone");
    await page.context().close();
  },

  async show() {
    const page = await newPage();
    await page.goto(base + "/show");
    await page.getByRole("navigation", { name: "Projects" }).getByRole("link").first().waitFor();
    await page.goto(`${base}/show/${project}`);
    await page.getByTestId("project-title").waitFor();
    if (!(await page.locator(".qr svg").count())) throw new Error("show: no QR code");
    const link = await page.getByTestId("audience-link").getAttribute("href");
    if (!link.includes(`audience.html?project=${project}`)) throw new Error(`show: audience link ${link}`);
    // live audience count: a phone opens the audience link
    const count = page.getByTestId("audience-count");
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="audience-count"]').textContent));
    const before = parseInt(await count.textContent(), 10);
    const phone = await page.context().newPage();
    await phone.goto(link);
    await page.waitForFunction((n) => parseInt(document.querySelector('[data-testid="audience-count"]').textContent, 10) === n, before + 1);
    await unlock(page);
    const at = (n) => page.waitForFunction((k) => document.querySelector('[data-testid="cue-position"]').textContent.includes(`current ${k} `), n);
    await page.getByRole("button", { name: /^Jump to cue 0/ }).click();
    await at(0);
    await page.getByTestId("history").getByRole("listitem").first().waitFor(); // arrived over Subscribe
    await page.waitForFunction(() => document.querySelector('[data-testid="live-state"]').textContent.includes("live"));
    await page.getByTestId("go").click();
    await at(1);
    await page.getByRole("button", { name: "Back" }).click();
    await at(0);
    await page.getByRole("button", { name: /^Jump to cue 2/ }).click();
    await at(2);
    const history = await page.getByTestId("history").getByRole("listitem").count();
    if (history < 4) throw new Error(`show: ${history} cues in history, want 4`);
    // assets: upload, replace, delete (first channel)
    const upload = page.locator('[data-testid^="upload-"]').first();
    const channel = (await upload.getAttribute("data-testid")).slice("upload-".length);
    const message = page.getByTestId(`asset-message-${channel}`);
    await upload.setInputFiles({ name: "hello.txt", mimeType: "text/plain", buffer: Buffer.from("hello house") });
    await page.waitForFunction((c) => document.querySelector(`[data-testid="asset-message-${c}"]`).textContent.endsWith("ed hello.txt"), channel); // uploaded (or replaced, when run twice)
    await page.getByLabel("Replace hello.txt").setInputFiles({ name: "x.txt", mimeType: "text/plain", buffer: Buffer.from("hello again") });
    await page.waitForFunction((c) => document.querySelector(`[data-testid="asset-message-${c}"]`).textContent === "replaced hello.txt", channel);
    await shot(page, "show");
    await phone.close();
    await page.waitForFunction((n) => parseInt(document.querySelector('[data-testid="audience-count"]').textContent, 10) === n, before);
    await page.getByRole("button", { name: "Delete hello.txt" }).click();
    await page.waitForFunction((c) => document.querySelector(`[data-testid="asset-message-${c}"]`).textContent === "deleted hello.txt", channel);
    void message;
    await page.context().close();
  },

  async showPhone() {
    const page = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.goto(`${base}/show/${project}`);
    await page.getByTestId("go").waitFor();
    await shot(page, "show-phone");
    await page.context().close();
  },

  async media() {
    const page = await newPage();
    await page.goto(base + "/media");
    await unlock(page); // TAMS reads can need a token (its read scope)
    const link = page.getByTestId("flows").locator("[data-flow-id]").first();
    await link.click();
    await page.getByTestId("flow-title").waitFor();
    const count = () => page.getByTestId("segment-count").textContent().then((t) => parseInt(t, 10));
    await page.waitForFunction(() => parseInt(document.querySelector('[data-testid="segment-count"]').textContent, 10) > 0);
    const all = await count();
    // zooming in asks the server again, for the narrower timerange only
    const asked = Number(await page.getByTestId("timeline").getAttribute("data-requests"));
    for (let i = 0; i < 3; i++) await page.getByRole("button", { name: "Zoom in" }).click();
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="timeline"]').dataset.requests) > n, asked);
    await page.waitForFunction((n) => parseInt(document.querySelector('[data-testid="segment-count"]').textContent, 10) < n, all);
    // a segment's details: click near the left edge of the view (the middle may be the gap)
    const box = await page.getByTestId("timeline").boundingBox();
    await page.mouse.click(box.x + box.width * 0.03, box.y + box.height / 2);
    await page.getByTestId("segment-details").waitFor();
    await page.getByRole("button", { name: "Whole flow" }).click();
    await page.waitForFunction((n) => parseInt(document.querySelector('[data-testid="segment-count"]').textContent, 10) === n, all);
    await shot(page, "media");
    await page.context().close();
  },

  async analysis() {
    const page = await newPage();
    await page.goto(base + "/analysis");
    await unlock(page);
    // drop a WAV file on the drop zone (a DataTransfer with a File, as a browser drag brings it)
    const wav = await page.evaluate(async () => (await (await fetch("/aura/tracks/1/audio?accept=audio%2Fwav")).arrayBuffer()).byteLength);
    if (!(wav > 1000)) throw new Error("analysis: no WAV to upload");
    const drop = await page.evaluateHandle(async () => {
      const bytes = await (await fetch("/aura/tracks/1/audio?accept=audio%2Fwav")).arrayBuffer();
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], "tone.wav", { type: "audio/wav" }));
      return dt;
    });
    await page.getByTestId("drop").dispatchEvent("drop", { dataTransfer: drop });
    await page.waitForFunction(() => document.querySelector('[data-testid="upload-message"]').textContent === "added tone");
    await page.locator("[data-item]").filter({ hasText: "tone" }).first().click();
    await page.getByTestId("item-title").waitFor();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="waveform"]').dataset.points) > 100);
    // a preset for the level analyzer, run it, watch it finish, results listed with exports
    await page.getByRole("button", { name: "Create preset" }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="preset"]').value !== "");
    await page.getByTestId("run").click();
    await page.waitForFunction(() => document.querySelector('[data-testid="task-state"]')?.textContent.includes("done"), null, { timeout: 60_000 });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="result-count"]').textContent) > 0);
    await page.locator("details", { hasText: "hdf5" }).first().locator("summary").click();
    const json = await page.getByRole("button", { name: "JSON" }).first().getAttribute("href");
    const status = await page.evaluate(async (u) => (await fetch(u)).status, json);
    if (status !== 200) throw new Error(`analysis: JSON export ${json} answered ${status}`);
    await shot(page, "analysis");
    await page.context().close();
  },

  async docs() {
    const page = await newPage();
    for (const api of ["tams", "timeside", "aura", "opentheater"]) {
      await page.goto(`${base}/docs/${api}`);
      // the vendored renderer draws the operations of the document inside its shadow root
      await page.waitForFunction(() => {
        const root = document.querySelector("rapi-doc")?.shadowRoot;
        return root && root.querySelectorAll(".nav-bar-path, .nav-bar-tag").length > 3;
      }, null, { timeout: 30_000 });
      await shot(page, `docs-${api}`);
    }
    await page.goto(`${base}/docs/grpc`);
    await page.getByText("polyphony.api.media.v1.MediaService").waitFor();
    await page.getByText("polyphony.api.trigger.v1.TriggerService").click();
    await page.getByText("NextCue").waitFor();
    await shot(page, "docs-grpc");
    await page.context().close();
  },
};

const only = process.env.JOURNEYS ? process.env.JOURNEYS.split(",") : Object.keys(journeys);
let failed = 0;
for (const name of only) {
  try {
    await journeys[name]();
    console.log(`ok ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAILED ${name}: ${e.stack ?? e}`);
    await lastPage?.screenshot({ path: join(out, `failed-${name}.png`) }).catch(() => {});
    await lastPage?.context().close().catch(() => {});
  }
}
if (problems.length) {
  console.log("browser problems:\n" + problems.join("\n"));
  failed += 1;
}
writeFileSync(join(out, "journeys.txt"), `${only.join(",")}\nfailed: ${failed}\n`);
await browser.close();
process.exit(failed ? 1 : 0);
