/**
 * Where a finished run's report.html can be opened, for the lines `fdi-provision local` and
 * `npm run demo` print. s3rver keeps an object on disk under another name (`…._S3rver_object`), which
 * a browser shows as text, so the page is opened from s3rver itself: it serves GETs without
 * credentials, with the content type the report was written with (text/html).
 */
import type { Report } from '../lib/report/types.js';

/** The loopback URL of an object of the local stack's bucket (path-style, each key segment encoded). */
export function objectUrl(s3Endpoint: string, bucket: string, key: string): string {
  return `${s3Endpoint}/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** The key of report.html in the run's report folder (`reportKey`, the folder's key). */
export function reportHtmlKey(reportKey: string): string {
  return `${reportKey.replace(/\/+$/, '')}/report.html`;
}

/** One line about a finished run: its status, manifest, counts and where its report.html opens. */
export function finishedRunLine(report: Report, link: string): string {
  const c = report.counts;
  const problems = c.failed + c.invalid + c.not_attempted;
  const what = report.operation === 'destroy' ? 'destroy' : 'run';
  return `${what} ${report.run_id} of ${report.manifest.uri} ${report.status} (${c.total} tasks, ${problems} failed or not done): ${link}`;
}
