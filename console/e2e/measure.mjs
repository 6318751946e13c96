// Measures, in headless Chromium with the Performance API, how long after navigation the first page of
// tracks is painted on /library: node e2e/measure.mjs <base url> [runs]. Prints one JSON line.
import { chromium } from "playwright-core";

const [base, runs = "5"] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
const results = [];
for (let i = 0; i < Number(runs); i++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  // the moment a track row enters the DOM, then the next frame after it (painted)
  await page.addInitScript(() => {
    const seen = () => {
      if (!document.querySelector("[data-track-id]")) return false;
      const inDom = performance.now();
      requestAnimationFrame(() => requestAnimationFrame(() => (window.__tracksPainted = { inDom, painted: performance.now() })));
      return true;
    };
    new MutationObserver((_, obs) => seen() && obs.disconnect()).observe(document, { childList: true, subtree: true });
  });
  await page.goto(base + "/library");
  const t = await page.waitForFunction(() => window.__tracksPainted, null, { timeout: 30_000 }).then((h) => h.jsonValue());
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType("navigation")[0];
    const fcp = performance.getEntriesByName("first-contentful-paint")[0];
    const js = performance.getEntriesByType("resource").filter((r) => r.name.endsWith(".js"));
    return { domContentLoaded: n.domContentLoadedEventEnd, fcp: fcp?.startTime ?? null, jsTransferred: js.reduce((s, r) => s + r.transferSize, 0) };
  });
  // keep scrolling to the end of the virtualised list: each time the next keyset page loads
  const loaded = () => page.evaluate(() => parseInt(document.querySelector('[data-testid="track-count"]').textContent.replace(/,/g, ""), 10));
  const scrollStart = Date.now();
  let pages = 0;
  for (; pages < 20; pages++) {
    const before = await loaded();
    await page.evaluate(() => { const el = document.querySelector('[data-testid="tracks"]'); el.scrollTop = el.scrollHeight; });
    await page.waitForFunction((n) => parseInt(document.querySelector('[data-testid="track-count"]').textContent.replace(/,/g, ""), 10) > n, before);
  }
  const scrollMs = (Date.now() - scrollStart) / pages;
  results.push({ ...t, ...nav, rows: await page.locator("[data-track-id]").count(), scrolledTo: await loaded(), msPerScrolledPage: scrollMs });
  await context.close();
}
await browser.close();
console.log(JSON.stringify(results));
