import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, esc, reportHtml, scriptJson } from '../../../lib/report/html/index.js';
import { PAGE_SCRIPT } from '../../../lib/report/html/page-script.js';
import { reportFiles } from '../../../lib/report/render-report.js';
import { HOSTILE_MESSAGE, HOSTILE_NAME, reportWith } from './report-html-fixture.js';

/** The text of the embedded data element. */
function dataOf(html: string): string {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no #report-data');
  return m[1]!;
}

/** Every `<script…>` start tag of the page. */
function scriptTags(html: string): string[] {
  return html.match(/<script\b[^>]*>/gi) ?? [];
}

describe('report.html escaping', () => {
  it.each([
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['a & b', 'a &amp; b'],
    ['"quoted" \'single\'', '&quot;quoted&quot; &#39;single&#39;'],
    ['</script>', '&lt;/script&gt;'],
    ['plain', 'plain'],
  ])('esc(%j) is %j', (input, output) => {
    expect(esc(input)).toBe(output);
  });

  it.each(['</script><script>alert(1)</script>', '<!-- comment', 'a\u2028b\u2029c', 'x & y > z', '\u003c/SCRIPT>'])(
    'scriptJson keeps %j a JSON string with no <, >, &, U+2028 or U+2029 in its text',
    (s) => {
      const text = scriptJson({ s, list: [s] });
      expect(text).not.toMatch(/[<>&\u2028\u2029]/);
      expect(JSON.parse(text)).toEqual({ s, list: [s] });
    },
  );

  it('names and messages with markup never reach the page as markup', () => {
    const html = reportHtml(reportWith(20));
    // Exactly the page's two script elements, whatever the tasks hold.
    expect(scriptTags(html)).toEqual(['<script type="application/json" id="report-data">', '<script>']);
    expect(html).not.toContain('onerror="window');
    expect(html).not.toContain('<b id="injected">');
    expect(html).not.toContain('<em>markup</em>');
    expect(html).toContain('a note with &lt;em&gt;markup&lt;/em&gt;');
    expect(html).toContain('s3://bucket/manifests/&lt;wave&gt;&amp;1.yaml');
    expect(html).not.toMatch(/[\u2028\u2029]/);
    // The data element holds the name and the message, and gives them back exactly.
    const data = dataOf(html);
    expect(data).not.toMatch(/[<>&\u2028\u2029]/);
    const table = JSON.parse(data) as { cols: string[]; rows: unknown[][] };
    const names = table.rows.map((r) => r[table.cols.indexOf('name')]);
    const messages = table.rows.map((r) => r[table.cols.indexOf('message')]);
    expect(names).toContain(HOSTILE_NAME);
    expect(messages).toContain(HOSTILE_MESSAGE);
  });

  it('a rejected run shows its reason and located problems escaped', () => {
    const html = reportHtml(
      reportWith(0, {
        status: 'rejected',
        reason: 'the manifest has <2> problems',
        errors: [
          { message: 'unknown key <script>', line: 3, column: 5, task: 'x</script>' },
          { message: 'second', hint: 'did you mean "<b>"?' },
        ],
        timeline: undefined,
      }),
    );
    expect(scriptTags(html)).toHaveLength(2);
    expect(html).toContain('the manifest has &lt;2&gt; problems');
    expect(html).toContain('unknown key &lt;script&gt;');
    expect(html).toContain('x&lt;/script&gt;');
    expect(html).toContain('did you mean &quot;&lt;b&gt;&quot;?');
    expect(html).toContain('id="no-timeline"');
  });
});

describe('report.html structure', () => {
  it('allows only its own script by hash, inline styles and data: images, nothing from the network', () => {
    const html = reportHtml(reportWith(5));
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
    const hash = createHash('sha256').update(PAGE_SCRIPT).digest('base64');
    expect(csp?.replace(/&#39;/g, "'")).toBe(contentSecurityPolicy(PAGE_SCRIPT));
    expect(contentSecurityPolicy(PAGE_SCRIPT)).toBe(
      `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`,
    );
    // The inline script is exactly the hashed text.
    expect(html).toContain(`<script>${PAGE_SCRIPT}</script>`);
    // Nothing to fetch: no URL-bearing attribute in the markup (the data element is text, not markup).
    expect(html.replace(dataOf(html), '')).not.toMatch(/\s(src|href|srcset|action|poster|data)=|url\(|@import/i);
  });

  it('shows the counts of report.json, one card per status of the operation', () => {
    const r = reportWith(30);
    const html = reportHtml(r);
    for (const [status, n] of Object.entries(r.counts)) expect(html).toContain(`data-count="${status}"><b>${n}</b>`);
    const destroy = reportHtml(
      reportWith(1, {
        operation: 'destroy',
        counts: { total: 1, created: 0, updated: 0, existing: 0, failed: 0, invalid: 0, not_attempted: 0, deleted: 1 },
      }),
    );
    expect(destroy).toContain('data-count="deleted"><b>1</b>');
    expect(destroy).toContain('data-count="foreign"><b>0</b>');
    expect(destroy).toContain('<h1>Destroy run');
  });

  it('embeds every task once, failures first, only the fields shown', () => {
    const r = reportWith(50);
    const table = JSON.parse(dataOf(reportHtml(r))) as { cols: string[]; rows: unknown[][] };
    expect(table.cols).toEqual(['name', 'status', 'code', 'message', 'task_id', 'attempts', 'line']);
    expect(table.rows).toHaveLength(50);
    const names = table.rows.map((row) => row[0]);
    expect(new Set(names).size).toBe(50);
    const statuses = table.rows.map((row) => row[1]);
    const firstCreated = statuses.indexOf('created');
    expect(statuses.slice(0, firstCreated).every((s) => s === 'failed')).toBe(true);
    expect(statuses.slice(firstCreated)).not.toContain('failed');
  });

  it('adds the destroy and verify columns when a task has them', () => {
    const r = reportWith(3);
    r.tasks[1] = { ...r.tasks[1]!, before: { task_id: 'old-id' }, note: 'found by name' };
    r.tasks[2] = {
      ...r.tasks[2]!,
      execution: { state: 'failed', healthy: false, remarks: 'ORA-00942 <table>' },
    };
    const table = JSON.parse(dataOf(reportHtml(r))) as { cols: string[] };
    expect(table.cols).toEqual(expect.arrayContaining(['before', 'execution', 'remarks', 'note']));
  });

  it('draws both charts from the timeline, one point per step, or says there is none', () => {
    const html = reportHtml(reportWith(10));
    expect(html).toContain('id="chart-requests"');
    expect(html).toContain('id="chart-progress"');
    for (const series of ['accepted', 'throttled', 'failed', 'retried', 'done']) {
      const points = new RegExp(`data-series="${series}"[^>]*points="([^"]*)"`).exec(html)?.[1];
      expect(points?.split(' ')).toHaveLength(3);
    }
    // A run shorter than one step: a level line across it, not a point that draws nothing.
    const one = {
      start: '2026-11-29T00:00:00.000Z',
      step_s: 1,
      accepted: [4],
      throttled: [0],
      failed: [1],
      retried: [0],
      done: [2],
    };
    const short = reportHtml(reportWith(2, { timeline: one }));
    for (const series of ['accepted', 'throttled', 'failed', 'retried', 'done']) {
      const points = new RegExp(`data-series="${series}"[^>]*points="([^"]*)"`).exec(short)?.[1];
      expect(points?.split(' ')).toHaveLength(2);
    }
    const none = reportHtml(reportWith(10, { timeline: undefined }));
    expect(none).toContain('id="no-timeline"');
    expect(none).not.toContain('<svg');
  });

  it('is one of the report files, as text/html', () => {
    const files = reportFiles(reportWith(2));
    const html = files.find((f) => f.name === 'report.html');
    expect(html?.contentType).toBe('text/html; charset=utf-8');
    expect(html?.body.startsWith('<!DOCTYPE html>')).toBe(true);
  });
});
