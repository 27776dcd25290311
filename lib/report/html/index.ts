/** report.html: the self-contained page of a run's report. */
export { reportHtml, contentSecurityPolicy } from './page.js';
export { esc, scriptJson } from './escape.js';
