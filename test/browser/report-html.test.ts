/**
 * report.html in a real headless Chromium (Debian's, through playwright-core): a report of a real run
 * against the emulator, with failures whose FDI messages carry markup, and a hand-made report whose
 * task name does. The page must load with no console errors and no request but its own file, show
 * report.json's counts, filter by status, search by name, and show every name and message as text.
 * Without Chromium the file is skipped with the command that installs it, except in CI (CI or
 * FDI_REQUIRE_BROWSER set), where that fails.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportHtml } from '../../lib/report/html/index.js';
import type { Report } from '../../lib/report/types.js';
import { reportFolder, runCli, writeManifest } from '../helpers/cli.js';
import { HOSTILE_MESSAGE, HOSTILE_NAME, reportWith } from '../unit/report/report-html-fixture.js';
import { browserRequired, chromiumPresent, CHROMIUM_HINT, launchChromium, type Browser } from './chromium.js';
import { realReport, type RealReport } from './real-report.js';

const N = 300;
const MARKUP = '<img src=x onerror="window.__pwned=1"></script><script>window.__pwned=2</script>';
const skip = !chromiumPresent() && !browserRequired();
if (skip) console.warn(`report.html browser test skipped: ${CHROMIUM_HINT}`);

/** What a page did while it loaded: its requests, console errors and uncaught exceptions. */
interface Watched {
  page: Page;
  requests: string[];
  errors: string[];
}

async function open(browser: Browser, file: string): Promise<Watched> {
  const page = await browser.context.newPage();
  const watched: Watched = { page, requests: [], errors: [] };
  page.on('request', (r) => watched.requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') watched.errors.push(m.text());
  });
  page.on('pageerror', (e) => watched.errors.push(e.message));
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('html[data-table-painted]', { timeout: 20_000 }).catch((err: unknown) => {
    throw new Error(`the table was never painted; console: ${watched.errors.join(' | ') || 'nothing'}`, { cause: err });
  });
  return watched;
}

/** The cells of one column of the rows shown. */
function column(page: Page, col: string): Promise<string[]> {
  return page.$$eval(`#task-rows td.col-${col}`, (tds) => tds.map((td) => td.textContent ?? ''));
}

/** Nothing the data held became an element, and no injected script ran. */
async function expectNoInjection(page: Page): Promise<void> {
  expect(await page.$$eval('img, #task-rows script, #task-rows b', (els) => els.length)).toBe(0);
  expect(await page.$$eval('script', (els) => els.length)).toBe(2);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
}

describe.skipIf(skip)('report.html in Chromium', () => {
  let browser: Browser;
  let real: RealReport;
  let runDir: string;
  let report: Report;

  beforeAll(async () => {
    if (!chromiumPresent()) throw new Error(`${CHROMIUM_HINT} (required: CI or FDI_REQUIRE_BROWSER is set)`);
    browser = await launchChromium();
    real = await realReport({
      tasks: N,
      prefix: 'bulk',
      emulator: { seed: 3, faults: { '503': 0.45 } },
      env: { FDI_MAX_ATTEMPTS: '3', FDI_RATE: '400' },
      markup: MARKUP,
      destroy: true,
    });
    expect(real.cli.code, real.cli.stderr).toBe(1);
    ({ runDir, report } = real);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await real?.remove();
  });

  it('loads with no console error and no request but its own file, showing the counts of report.json', async () => {
    expect(report.counts.failed).toBeGreaterThan(0);
    expect(report.counts.created).toBeGreaterThan(200);
    const file = path.join(runDir, 'report.html');
    const { page, requests, errors } = await open(browser, file);
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).href]);
    for (const [status, n] of Object.entries(report.counts)) {
      const shown = await page.textContent(`[data-count="${status}"] b`);
      expect(Number(shown?.replace(/,/g, '')), status).toBe(n);
    }
    expect(await page.textContent('#run-status')).toBe(report.status);
    // The charts were drawn from the run's timeline.
    expect(report.timeline).toBeDefined();
    expect(await page.$$eval('#chart-requests polyline', (p) => p.length)).toBe(4);
    // Failures first, 200 rows at a time, then the rest on demand.
    const statuses = await column(page, 'status');
    expect(statuses).toHaveLength(200);
    expect(statuses.slice(0, report.counts.failed).every((s) => s === 'failed')).toBe(true);
    await page.click('#show-more');
    expect(await column(page, 'status')).toHaveLength(N);
    expect(await page.isHidden('#show-more')).toBe(true);
    await page.close();
  });

  it('filters by status and searches by name', async () => {
    const { page, errors } = await open(browser, path.join(runDir, 'report.html'));
    await page.selectOption('#status-filter', 'failed');
    const failed = await column(page, 'status');
    expect(failed).toHaveLength(report.counts.failed);
    expect(new Set(failed)).toEqual(new Set(['failed']));
    expect(await page.textContent('#shown-count')).toContain(`of ${report.counts.failed} matching`);
    const failedNames = report.tasks.filter((t) => t.status === 'failed').map((t) => t.name);
    expect((await column(page, 'name')).sort()).toEqual(failedNames.sort());

    await page.selectOption('#status-filter', 'all');
    const one = report.tasks.find((t) => t.status === 'created')!;
    await page.fill('#name-search', one.name.toUpperCase());
    await page.waitForFunction(() => document.querySelectorAll('#task-rows tr').length === 1);
    expect(await column(page, 'name')).toEqual([one.name]);
    expect(await column(page, 'task_id')).toEqual([one.task_id]);

    const part = 'bulk-0-001';
    const expected = report.tasks.filter((t) => t.name.includes(part)).length;
    await page.fill('#name-search', part);
    await page.waitForFunction((n) => document.querySelectorAll('#task-rows tr').length === n, expected);
    await page.selectOption('#status-filter', 'created');
    const both = report.tasks.filter((t) => t.name.includes(part) && t.status === 'created').length;
    expect(await column(page, 'name')).toHaveLength(both);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows FDI's messages holding markup as text, with no element injected", async () => {
    const { page, errors } = await open(browser, path.join(runDir, 'report.html'));
    const messages = await column(page, 'message');
    const withMarkup = report.tasks.filter((t) => t.error_msg?.includes(MARKUP)).length;
    expect(withMarkup).toBeGreaterThan(0);
    expect(messages.filter((m) => m.includes(MARKUP))).toHaveLength(withMarkup);
    await expectNoInjection(page);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a destroy run's report.html: its counts, the deleted filter, no console error, no request", async () => {
    const destroyed = real.destroyed!;
    expect(destroyed.report.operation).toBe('destroy');
    const file = path.join(destroyed.runDir, 'report.html');
    const { page, requests, errors } = await open(browser, file);
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(await page.textContent('h1')).toContain('Destroy run');
    for (const [status, n] of Object.entries(destroyed.report.counts)) {
      const shown = await page.textContent(`[data-count="${status}"] b`);
      expect(Number(shown?.replace(/,/g, '')), status).toBe(n);
    }
    expect(destroyed.report.counts.deleted).toBeGreaterThan(0);
    await page.selectOption('#status-filter', 'deleted');
    const deleted = await column(page, 'status');
    expect(deleted).toHaveLength(Math.min(200, destroyed.report.counts.deleted!));
    expect(new Set(deleted)).toEqual(new Set(['deleted']));
    await page.close();
  });

  it("a rejected manifest's problems name its markup task name as text", async () => {
    const manifest = await writeManifest(
      real.dir,
      'rejected.yaml',
      [
        'version: 1',
        'target: { project_id: local-project, instance_id: local-instance }',
        'tasks:',
        `  - name: ${JSON.stringify(MARKUP)}`,
        '    task_type: REALTIME',
        '    source_datasource: 30969b205e8f4392a25fb321112d1753',
        '    target_datasource: 30969b205e8f4392a25fb321112d1753',
        '    detail: {}',
      ].join('\n'),
    );
    const reports = path.join(real.dir, 'rejected-reports');
    // Nothing is sent for a rejected manifest: the endpoint is never called.
    const env = { FDI_ENDPOINT: 'http://127.0.0.1:9', FDI_AUTH_TOKEN: 'local-token' };
    const res = await runCli(['apply', manifest, '--report', reports], { env });
    expect(res.code, res.stderr).toBe(2);
    const folder = reportFolder(reports, manifest);
    const latest = JSON.parse(await readFile(path.join(folder, 'latest.json'), 'utf8')) as Report;
    expect(latest.status).toBe('rejected');
    const file = path.join(folder, latest.run_id, 'report.html');
    const { page, requests, errors } = await open(browser, file);
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(await page.textContent('#run-status')).toBe('rejected');
    expect(await page.textContent('#manifest-errors')).toContain(MARKUP);
    expect(await page.$$eval('#manifest-errors li', (li) => li.length)).toBe(latest.errors.length);
    expect(await page.isVisible('#no-timeline')).toBe(true);
    await expectNoInjection(page);
    await page.close();
  });

  it('shows a task name holding markup as text (a hand-made report)', async () => {
    const file = path.join(real.dir, 'hand-made.html');
    await writeFile(file, reportHtml(reportWith(1000)));
    const { page, requests, errors } = await open(browser, file);
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).href]);
    await page.fill('#name-search', 'onerror');
    await page.waitForFunction(() => document.querySelectorAll('#task-rows tr').length === 1);
    expect(await column(page, 'name')).toEqual([HOSTILE_NAME]);
    await page.fill('#name-search', '');
    await page.selectOption('#status-filter', 'failed');
    expect(await column(page, 'message')).toContain(HOSTILE_MESSAGE);
    expect(await page.textContent('#notes')).toContain('<em>markup</em>');
    await expectNoInjection(page);
    await page.close();
  });
});
