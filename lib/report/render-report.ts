/**
 * The files of a report, by name (docs/ARCHITECTURE.md, "Storage layout"): report.json, tasks.csv,
 * summary.md, report.html, run.json, failed.yaml. Pure.
 */
import { reportHtml } from './html/index.js';
import { summaryMarkdown } from './summary-md.js';
import { tasksCsv } from './tasks-csv.js';
import type { Report } from './types.js';

export interface ReportFile {
  name: string;
  body: string;
  contentType: string;
}

/** How many of a rejected run's manifest problems run.json keeps (report.json has them all). */
export const RUN_SUMMARY_ERRORS = 20;

/**
 * run.json: report.json without what grows with the manifest — no `tasks` (an empty list), no
 * `timeline`, at most RUN_SUMMARY_ERRORS `errors` — so that `fdi-provision runs` lists a page of
 * 10,000-task runs by reading a few hundred bytes each (README, "Runs").
 */
export function runSummary(report: Report): Report {
  const { timeline: _timeline, ...rest } = report;
  return { ...rest, errors: report.errors.slice(0, RUN_SUMMARY_ERRORS), tasks: [] };
}

export function reportFiles(report: Report, failedYaml?: string): ReportFile[] {
  const files: ReportFile[] = [
    { name: 'report.json', body: `${JSON.stringify(report, null, 2)}\n`, contentType: 'application/json' },
    { name: 'tasks.csv', body: tasksCsv(report.tasks), contentType: 'text/csv; charset=utf-8' },
    {
      name: 'summary.md',
      body: summaryMarkdown(report, failedYaml ? { failedManifest: 'failed.yaml' } : {}),
      contentType: 'text/markdown; charset=utf-8',
    },
    { name: 'report.html', body: reportHtml(report), contentType: 'text/html; charset=utf-8' },
    { name: 'run.json', body: `${JSON.stringify(runSummary(report))}\n`, contentType: 'application/json' },
  ];
  if (failedYaml) files.push({ name: 'failed.yaml', body: failedYaml, contentType: 'application/yaml' });
  return files;
}
