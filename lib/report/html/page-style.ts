/** The stylesheet of report.html, inline (the page loads nothing). System fonts only. */
export const PAGE_STYLE = `
:root { color-scheme: light; --fg: #1d232a; --muted: #5f6b76; --line: #d8dee4; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--fg); margin: 0; padding: 24px 32px 48px; max-width: 1400px; }
h1 { font-size: 22px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 17px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 14px; margin: 16px 0 2px; }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: 2px 10px; border-radius: 12px; font-size: 13px; font-weight: 600;
  vertical-align: middle; color: #fff; background: #57606a; }
.badge.succeeded { background: #2e7d32; } .badge.partial { background: #ef6c00; }
.badge.failed, .badge.aborted { background: #c62828; } .badge.rejected { background: #6a1b9a; }
.reason { background: #fff4e5; border-left: 4px solid #ef6c00; padding: 8px 12px; margin: 12px 0; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 16px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 104px; background: var(--bg); }
.card b { display: block; font-size: 22px; font-variant-numeric: tabular-nums; }
.card span { color: var(--muted); font-size: 12px; }
.card.bad b { color: #c62828; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dt { color: var(--muted); } dd { margin: 0; overflow-wrap: anywhere; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 8px 32px; }
.chart { width: 100%; height: auto; display: block; }
.chart text { font-size: 14px; fill: var(--muted); }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.legend { margin: 2px 0; display: flex; gap: 16px; color: var(--muted); font-size: 12px; }
.legend i { display: inline-block; width: 12px; height: 3px; margin-right: 5px; vertical-align: middle; }
.controls { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 8px 0; }
.controls input, .controls select { font: inherit; padding: 4px 8px; border: 1px solid var(--line); border-radius: 4px; }
.controls input { min-width: 260px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th { text-align: left; background: var(--bg); position: sticky; top: 0; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; vertical-align: top; }
td { overflow-wrap: anywhere; }
td.col-name, td.col-task_id, td.col-before, td.col-code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
td.col-attempts, td.col-line { text-align: right; font-variant-numeric: tabular-nums; }
tr.status-failed td.col-status, tr.status-invalid td.col-status { color: #c62828; font-weight: 600; }
tr.status-not_attempted td.col-status, tr.status-foreign td.col-status { color: #ef6c00; font-weight: 600; }
tr.status-created td.col-status, tr.status-deleted td.col-status, tr.status-updated td.col-status { color: #2e7d32; }
button { font: inherit; padding: 6px 14px; margin-top: 10px; border: 1px solid var(--line); border-radius: 4px;
  background: var(--bg); cursor: pointer; }
`;
