/** The files of a report, by name (docs/ARCHITECTURE.md, "Storage layout"): report.json, tasks.csv, summary.md, report.html, failed.yaml. Pure. */
import { reportHtml } from './html/index.js';
import { summaryMarkdown } from './summary-md.js';
import { tasksCsv } from './tasks-csv.js';
import type { Report } from './types.js';

export interface ReportFile {
  name: string;
  body: string;
  contentType: string;
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
  ];
  if (failedYaml) files.push({ name: 'failed.yaml', body: failedYaml, contentType: 'application/yaml' });
  return files;
}
