/**
 * docs/images/report-html.png: a real 1,000-task run with failures against the FDI emulator (500s and
 * 503s, a rate quota below the client's rate so some requests are throttled, 2 attempts per request),
 * its report.html opened in Debian's Chromium from the file, and the top of the page saved.
 * `npm run build` first (the run uses dist/). Usage: tsx scripts/report-html-screenshot.ts [out.png]
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM_HINT, chromiumPresent, launchChromium } from '../test/browser/chromium.js';
import { realReport } from '../test/browser/real-report.js';

const out = path.resolve(process.argv[2] ?? 'docs/images/report-html.png');
if (!chromiumPresent()) {
  console.error(CHROMIUM_HINT);
  process.exit(1);
}
const real = await realReport({
  tasks: 1000,
  prefix: 'orders-cdc',
  emulator: { seed: 11, rateQuota: 120, latencyMs: 20, jitterMs: 30, faults: { '503': 0.12, '500': 0.03 } },
  env: { FDI_RATE: '150', FDI_MAX_ATTEMPTS: '2', FDI_CONCURRENCY: '16' },
});
const browser = await launchChromium({ width: 1360, height: 1500 });
try {
  const page = await browser.context.newPage();
  await page.goto(pathToFileURL(path.join(real.runDir, 'report.html')).href);
  await page.waitForSelector('html[data-table-painted]');
  await mkdir(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  const c = real.report.counts;
  console.log(`${out}: ${real.report.status}, ${c.total} tasks, ${c.failed} failed, ${c.not_attempted} not attempted`);
} finally {
  await browser.close();
  await real.remove();
}
