/**
 * report.html at 1,000 and 10,000 tasks (docs/PERFORMANCE.md, "report.html"): a real apply of each
 * size against the FDI emulator with a few faults (so some tasks fail and the timeline has retries),
 * then
 * - the CLI's peak RSS for the whole apply, report.html included;
 * - report.html's size, and the time to render it in Node (reportHtml of report.json, median of 5);
 * - in Debian's Chromium, from the file: load to the table painted (the page's `table-painted` mark,
 *   from navigation start; median of LOADS fresh pages), a status filter's re-render, and "show more".
 * `npm run build` first. Usage: npm run bench:report-html [-- --sizes 1000,10000 --loads 5]
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { startEmulator } from '../emulator/index.js';
import { reportHtml } from '../lib/report/html/index.js';
import type { Report } from '../lib/report/types.js';
import { bulkManifest, reportFolder, tempDir, writeManifest } from '../test/helpers/cli.js';
import { CHROMIUM, CHROMIUM_HINT, chromiumPresent, launchChromium } from '../test/browser/chromium.js';
import { bytes, log, median, printSection, table } from './common/format.js';
import { endLines, printHeader } from './common/machine.js';
import { benchEnv, requireBuild, runCli } from './common/proc.js';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}
const SIZES = arg('sizes', '1000,10000').split(',').map(Number);
const LOADS = Number(arg('loads', '5'));
const FAULTS = { '503': 0.03, '500': 0.01 };

interface Applied {
  report: Report;
  html: string;
  file: string;
  rssKb: number | undefined;
  applyMs: number;
}

async function apply(n: number): Promise<Applied> {
  const instances = Array.from({ length: Math.ceil(n / 1000) }, (_, i) => `local-instance-${i + 1}`);
  const emu = await startEmulator({ instances, seed: 5, faults: FAULTS });
  const dir = await tempDir('bench-report-html-');
  try {
    const manifest = await writeManifest(dir, 'wave.yaml', bulkManifest(n, { instances, prefix: 'bench' }));
    const reports = path.join(dir, 'reports');
    const proc = await runCli(['apply', manifest, '--report', reports, '--rate', '1000', '--concurrency', '32'], {
      env: benchEnv({ FDI_ENDPOINT: emu.url, FDI_AUTH_TOKEN: 'local-token', FDI_MAX_ATTEMPTS: '2' }),
      rss: true,
      timeoutMs: 600_000,
    });
    const folder = reportFolder(reports, manifest);
    const latest = JSON.parse(await readFile(path.join(folder, 'latest.json'), 'utf8')) as Report;
    const file = path.join(folder, latest.run_id, 'report.html');
    return {
      report: latest,
      html: await readFile(file, 'utf8'),
      file,
      rssKb: proc.maxRssKb,
      applyMs: proc.wallMs,
    };
  } finally {
    await emu.close();
  }
}

/** Node: rendering report.html from the report, median of 5 (after one warm-up). */
function renderMs(report: Report): number {
  reportHtml(report);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    reportHtml(report);
    times.push(performance.now() - t);
  }
  return median(times);
}

/** In the page: time from a change of the status filter to the next frame, in ms. */
function timed(page: Page, action: 'filter' | 'more'): Promise<number> {
  return page.evaluate(
    (what) =>
      new Promise<number>((resolve) => {
        const t = performance.now();
        if (what === 'filter') {
          const select = document.getElementById('status-filter') as HTMLSelectElement;
          select.value = select.value === 'all' ? 'created' : 'all';
          select.dispatchEvent(new Event('change'));
        } else (document.getElementById('show-more') as HTMLButtonElement).click();
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t), 0));
      }),
    action,
  );
}

async function main(): Promise<void> {
  requireBuild();
  if (!chromiumPresent()) throw new Error(CHROMIUM_HINT);
  printHeader('report.html', { sizes: SIZES.join(','), loads: LOADS, faults: FAULTS, chromium: CHROMIUM });
  const rows: Array<Array<string | number | undefined>> = [];
  for (const n of SIZES) {
    log(`apply of ${n} tasks`);
    const run = await apply(n);
    const size = (await stat(run.file)).size;
    const gzip = (await import('node:zlib')).gzipSync(run.html).length;
    const node = renderMs(run.report);
    log(`Chromium, ${LOADS} loads`);
    const browser = await launchChromium();
    const painted: number[] = [];
    const filters: number[] = [];
    const more: number[] = [];
    try {
      for (let i = 0; i < LOADS; i++) {
        const page = await browser.context.newPage();
        await page.goto(pathToFileURL(run.file).href);
        await page.waitForSelector('html[data-table-painted]');
        painted.push(await page.evaluate(() => performance.getEntriesByName('table-painted')[0]!.startTime));
        filters.push(await timed(page, 'filter'), await timed(page, 'filter'));
        more.push(await timed(page, 'more'));
        await page.close();
      }
    } finally {
      await browser.close();
    }
    const c = run.report.counts;
    rows.push([
      n.toLocaleString('en-US'),
      `${c.failed} failed`,
      run.rssKb !== undefined ? `${(run.rssKb / 1024).toFixed(0)} MB` : undefined,
      bytes(size),
      bytes(gzip),
      `${node.toFixed(0)} ms`,
      `${median(painted).toFixed(0)} ms`,
      `${median(filters).toFixed(0)} ms`,
      `${median(more).toFixed(0)} ms`,
    ]);
  }
  printSection(
    'report.html by size of run',
    table(
      [
        'tasks',
        'outcome',
        'apply peak RSS',
        'report.html',
        'gzipped',
        'render (Node)',
        'load → table painted',
        'status filter',
        'show 200 more',
      ],
      rows,
    ),
    [
      'apply peak RSS: the whole `fdi-provision apply` (GNU time), report.html and every other report file included',
      'load → table painted: from navigation start to the first frame after the first 200 rows, Chromium headless',
      `status filter: one change of the status filter over every task, to the next frame; median of ${2 * LOADS}`,
    ],
  );
  process.stdout.write(`\n${endLines()}\n`);
}

await main();
