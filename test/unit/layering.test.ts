/**
 * The layering of the code is enforced by import rules in eslint.config.js (docs/ARCHITECTURE.md,
 * "Layers"). These rows lint one-line modules at virtual paths inside the repository (the files need
 * not exist) and check that a wrong import is reported by the rule that should catch it, and a right
 * one is not — so the rules cannot rot into patterns that match nothing.
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The layer rule (typescript-eslint's copy, which sees type-only imports) and the library-wide one. */
const LAYER = '@typescript-eslint/no-restricted-imports';
const LIB_WIDE = 'no-restricted-imports';
type Rule = typeof LAYER | typeof LIB_WIDE;

/**
 * Where the module would live (relative to the repository root), its import, and the rule that must
 * report it, or null when the import is allowed.
 */
type Row = [path: string, line: string, expected: Rule | null];

const ROWS: Row[] = [
  // Pure planning: no FDI client, no I/O; the planning reads may use the client.
  ['lib/plan/decide-x.ts', "import '../fdi/client/client.js';", LAYER],
  [
    'lib/plan/decide-x.ts',
    "import type { FdiClient } from '../fdi/client/client.js'; export type C = FdiClient;",
    LAYER,
  ],
  ['lib/plan/decide-x.ts', "import got from 'got'; export default got;", LAYER],
  ['lib/plan/decide-x.ts', "import './reads.js';", LAYER],
  ['lib/plan/decide-x.ts', "import '../manifest/index.js';", null],
  ['lib/plan/reads.ts', "import '../fdi/client/client.js';", null],
  ['lib/plan/plan-run.ts', "import '../storage/report-sink.js';", LAYER],
  // The manifest language: nothing of later stages, no I/O.
  ['lib/manifest/x.ts', "import '../storage/report-layout.js';", LAYER],
  ['lib/manifest/x.ts', "import 'node:fs';", LAYER],
  ['lib/manifest/x.ts', "import '../fdi/model/api.js';", null],
  ['lib/template/x.ts', "import '../plan/types.js';", LAYER],
  // Anything in lib/: no entry points, no local stack, no devDependencies.
  ['lib/x.ts', "import '../handlers/manifest-uploaded.js';", LIB_WIDE],
  ['lib/x.ts', "import 's3rver';", LIB_WIDE],
  ['lib/x.ts', "import 'vitest';", LIB_WIDE],
  ['lib/execute/x.ts', "import '../../cli/main.js';", LIB_WIDE],
  ['lib/x.ts', "import './plan/build-plan.js';", null],
  // The emulator shares only the FDI model.
  ['emulator/x.ts', "import '../lib/run-manifest.js';", LAYER],
  ['emulator/x.ts', "import '../lib/fdi/client/client.js';", LAYER],
  ['emulator/x.ts', "import '../lib/fdi/model/api.js';", null],
  // The FDI client speaks HTTP and knows nothing of plans.
  ['lib/fdi/client/x.ts', "import '../../plan/types.js';", LAYER],
  ['lib/fdi/client/x.ts', "import '../model/api.js';", null],
  ['lib/fdi/model/x.ts', "import '../client/fdi-error.js';", LAYER],
  // The report may know the plan's types, not its logic.
  ['lib/report/x.ts', "import '../plan/types.js';", null],
  ['lib/report/x.ts', "import '../plan/build-plan.js';", LAYER],
  // Storage knows nothing of FDI; the shared base imports nothing above it; the orchestrator no trigger.
  ['lib/storage/x.ts', "import '../fdi/model/api.js';", LAYER],
  ['lib/types.ts', "import './manifest/index.js';", LAYER],
  ['lib/run-manifest.ts', "import './trigger/run-upload.js';", LAYER],
  ['lib/run-manifest.ts', "import './plan/plan-run.js';", null],
  // Outside lib/: a handler uses no command line, the command line no handler.
  ['handlers/x.ts', "import '../cli/main.js';", LAYER],
  ['cli/x.ts', "import '../handlers/manifest-uploaded.js';", LAYER],
  ['cli/x.ts', "import '../emulator/index.js';", null],
];

describe('layering rules in eslint.config.js', { timeout: 120_000 }, () => {
  let eslint: ESLint;
  beforeAll(() => {
    eslint = new ESLint({ cwd: ROOT });
  });

  it.each(ROWS)('%s: %s → %s', async (path, line, expected) => {
    const [result] = await eslint.lintText(`${line}\n`, { filePath: `${ROOT}${path}` });
    // The module must be linted at all: not ignored, and parsed.
    expect(result.messages.filter((m) => m.fatal || m.ruleId === null)).toEqual([]);
    const restricted = result.messages.filter((m) => m.ruleId === LAYER || m.ruleId === LIB_WIDE);
    expect(restricted.map((m) => m.ruleId)).toEqual(expected === null ? [] : [expected]);
    // Nothing else fires on these one-line modules, so a row cannot pass for another rule's reason.
    expect(result.messages.map((m) => m.ruleId).filter((r) => r !== LAYER && r !== LIB_WIDE)).toEqual([]);
  });
});
