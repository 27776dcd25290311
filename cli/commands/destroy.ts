/**
 * `fdi-provision destroy <manifest>`: delete the tasks the manifest defines (docs/DESTROY.md). On a
 * terminal it shows the plan and asks; `--yes` skips the question; without a terminal it refuses
 * unless `--yes` is given (exit 2, nothing sent). Then it runs like `apply`: progress on stderr, the
 * report written, the exit code from the run's status.
 */
import { createInterface } from 'node:readline/promises';
import { EXIT } from '../../lib/errors.js';
import type { Plan } from '../../lib/plan/types.js';
import { runManifest } from '../../lib/run-manifest.js';
import type { CliContext, CommonFlags } from '../context.js';
import { errorLines, setUpEngine } from '../engine-run.js';
import { progressObserver } from '../progress.js';
import { runToReport } from './apply.js';
import { planTable } from './plan.js';

interface DestroyFlags extends CommonFlags {
  yes?: boolean;
  force?: boolean;
}

const NO_TERMINAL = 'destroy deletes tasks: without a terminal to ask on, it runs only with --yes; nothing was sent\n';

export default async function destroy([manifestUri]: string[], flags: DestroyFlags, ctx: CliContext): Promise<number> {
  const ask = !flags.yes;
  if (ask && !(ctx.stdin?.isTTY && ctx.stderr.isTTY)) {
    ctx.stderr.write(NO_TERMINAL);
    return EXIT.rejected;
  }
  const engine = setUpEngine(manifestUri, flags, ctx);
  const { config, deps, provenance, clean } = engine;
  const request = { config, signal: ctx.signal, provenance, operation: 'destroy', force: flags.force } as const;
  if (ask) {
    const preview = await runManifest({ ...request, mode: 'plan' }, deps);
    const plan = preview.plan;
    if (!plan || plan.blockers.length) {
      const { report } = preview;
      const blockers = plan?.blockers.map((b) => `  - ${b}\n`).join('') ?? '';
      ctx.stderr.write(clean(`${report.reason ?? 'destroy would be rejected:'}\n${blockers}`));
      ctx.stderr.write(clean(errorLines(report.errors, report.manifest.uri)));
      return report.status === 'aborted' ? EXIT.aborted : EXIT.rejected;
    }
    ctx.stderr.write(clean(planTable(plan)));
    if (!(await confirmed(plan, ctx))) {
      ctx.stderr.write('destroy cancelled; nothing was deleted\n');
      return EXIT.rejected;
    }
  }
  return runToReport(
    engine,
    { manifestUri, operation: 'destroy', flags, ctx },
    progressObserver,
    (sink, observer, liveDeps) => runManifest({ ...request, mode: 'apply', sink, observer }, liveDeps),
  );
}

/** Asks on the terminal whether to delete what the plan deletes; nothing to delete needs no question. */
async function confirmed(plan: Plan, ctx: CliContext): Promise<boolean> {
  const deletes = plan.entries.filter((e) => e.action === 'delete');
  if (deletes.length === 0) return true;
  const running = deletes.filter((e) => e.existing?.status === 1).length;
  const stopFirst = running ? ` (${running} running, stopped first)` : '';
  const rl = createInterface({ input: ctx.stdin!, output: ctx.stderr, terminal: true });
  try {
    const answer = await rl.question(`Delete ${deletes.length} task(s)${stopFirst}? Only "yes" deletes them: `, {
      signal: ctx.signal,
    });
    return answer.trim() === 'yes';
  } catch {
    return false;
  } finally {
    rl.close();
  }
}
