/** The manifests of the run_now and verify tests (test/integration/engine/run-now, verify). */

/** A manifest of `n` TIMING tasks `<prefix>-NNNN` with run_now (and `extra` lines at the top level). */
export function timingManifest(n: number, options: { prefix: string; extra?: string; start?: boolean }): string {
  const ids = Array.from({ length: n }, (_, i) => `"${String(i).padStart(4, '0')}"`).join(', ');
  return [
    'version: 1',
    'target: { project_id: local-project, instance_id: local-instance }',
    options.extra ?? '',
    'defaults: { run_now: true }',
    'templates:',
    '  t:',
    '    task_type: TIMING',
    '    source_datasource: 30969b205e8f4392a25fb321112d1753',
    '    target_datasource: { name: mysql-orders }',
    '    detail: { targetSelectedDatasource: { targetTable: "T_${n}" } }',
    '    schedule: { cron: "0 30 2 * * ?" }',
    ...(options.start ? ['    start: true'] : []),
    'tasks:',
    `  - { name: "${options.prefix}-\${n}", template: t, matrix: { n: [${ids}] } }`,
    '',
  ].join('\n');
}
