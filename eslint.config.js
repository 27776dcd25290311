// @ts-check
// Lint: typescript-eslint's recommended rules, plus the layering of the code as import rules
// (docs/ARCHITECTURE.md, "Layers"). A module that imports across a layer boundary fails `npm run lint`.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Import specifiers that reach a folder of lib/ (or a top-level module of lib/), from anywhere. */
const lib = (...parts) => `(^|/)(${parts.join('|')})(/|\\.js$)`;

/** The orchestrator's modules, at the top of lib/ below the trigger. */
const ORCHESTRATOR = ['run-manifest', 'run-record', 'run-types'];

/** What runs a plan, or does its I/O: the FDI client, execution, storage, traffic, the trigger, the orchestrator, the logger. */
const RUNTIME = '(^|/)fdi/client/|' + lib('execute', 'storage', 'traffic', 'trigger', ...ORCHESTRATOR, 'logger');

/** Packages and node modules that do I/O: a pure stage imports none of them. */
const IO_PACKAGES = [
  'got',
  'pino',
  'pino-pretty',
  '@aws-sdk/*',
  'node:fs',
  'node:fs/promises',
  'node:http',
  'node:https',
  'node:net',
];
/** Development-only packages: nothing that ships imports them. */
const DEV_PACKAGES = [
  'vitest',
  'vitest/*',
  'fast-check',
  'adm-zip',
  'ajv',
  'csv-parse',
  'csv-parse/*',
  'esbuild',
  'tsx',
  'osls',
];

/** What nothing shipped as the library may import, whatever its layer. */
const LIB_WIDE = [
  {
    regex: '(^|/)(handlers|cli|local|emulator|test|bench|scripts)/',
    message: 'lib/ never imports an entry point, the emulator, tests or benchmarks.',
  },
  { group: DEV_PACKAGES, message: 'lib/ ships: it may not depend on a devDependency.' },
  { group: ['s3rver'], message: "s3rver is the local stack's (local/), not the library's." },
];

/** The run-end notice (lib/notify/) sits beside the orchestrator: it tells a webhook a report's summary. */
const NOTIFY_PURE = ['lib/notify/settings.ts', 'lib/notify/notice.ts', 'lib/notify/retry.ts', 'lib/notify/index.ts'];
const NOTIFY_BOUNDARY = {
  regex:
    '(^|/)fdi/|' +
    lib('manifest', 'template', 'plan', 'execute', 'storage', 'traffic', 'trigger', 'policy', 'runs', ...ORCHESTRATOR),
  message: "The notice tells a webhook a report's summary; it knows nothing of how the run was made.",
};

/** `fdi-provision runs` (lib/runs/) reads a store's reports and the trigger's state objects. */
const RUNS_PURE = ['lib/runs/derive.ts', 'lib/runs/format.ts', 'lib/runs/types.ts'];
const RUNS_BOUNDARY = {
  regex:
    '(^|/)fdi/|' +
    lib('manifest', 'template', 'plan', 'execute', 'traffic', 'policy', 'notify', 'run-manifest', 'run-record'),
  message: "Runs are read from a store's reports and state objects, never from FDI or by running anything.",
};

/**
 * One rule set per layer: what a file of that layer may not import, and why. Every source file is in
 * at most one layer (a folder, less the files a more specific layer names). The layers, lowest
 * first: shared types and errors; the FDI model; the manifest language; the report; the FDI client;
 * traffic; planning; execution; storage; the orchestrator; the trigger. Nothing imports upward, and
 * the entry points (handlers, cli, local) and the emulator sit outside lib/.
 */
const LAYERS = [
  {
    name: 'shared types, errors, secrets and configuration (pure)',
    files: ['lib/types.ts', 'lib/errors.ts', 'lib/secret.ts', 'lib/config.ts', 'lib/config-liveness.ts'],
    patterns: [
      {
        regex: lib(
          'fdi',
          'manifest',
          'template',
          'plan',
          'execute',
          'report',
          'storage',
          'traffic',
          'trigger',
          ...ORCHESTRATOR,
          'logger',
        ),
        message: 'The shared base imports nothing above it.',
      },
      { group: IO_PACKAGES, message: 'The shared base does no I/O.' },
    ],
  },
  {
    name: 'the FDI model (pure; shared with the emulator)',
    files: ['lib/fdi/model/**/*.ts'],
    patterns: [
      {
        regex:
          '(^|/)client/|' +
          lib(
            'manifest',
            'template',
            'plan',
            'execute',
            'report',
            'storage',
            'traffic',
            'trigger',
            ...ORCHESTRATOR,
            'logger',
            'config',
          ),
        message: "The FDI model is the API's shapes and rules only; it imports no other part of lib/.",
      },
      { group: IO_PACKAGES, message: 'The FDI model does no I/O.' },
    ],
  },
  {
    name: 'the manifest language (pure)',
    files: ['lib/manifest/**/*.ts', 'lib/template/**/*.ts'],
    patterns: [
      {
        regex:
          '(^|/)fdi/client/|' +
          lib('plan', 'execute', 'report', 'storage', 'traffic', 'trigger', ...ORCHESTRATOR, 'logger'),
        message: 'The manifest language turns text into tasks; it knows nothing of later stages or of I/O.',
      },
      { group: IO_PACKAGES, message: 'The manifest language does no I/O: readers in lib/storage give it bytes.' },
    ],
  },
  {
    name: 'the report (pure)',
    files: ['lib/report/**/*.ts'],
    patterns: [
      {
        regex: RUNTIME,
        message: "The report is built from results; writing it is lib/storage's.",
      },
      { regex: '(^|/)plan/(?!types\\.js$)', message: "The report may know the plan's types, not its logic." },
      { group: IO_PACKAGES, message: 'The report does no I/O.' },
    ],
  },
  {
    name: "the operator's policy (pure)",
    files: ['lib/policy/**/*.ts'],
    patterns: [
      {
        regex: RUNTIME + '|(^|/)plan/(?!(types|targets)\\.js$)',
        message: "The policy judges a compiled manifest; reading it is lib/storage's, enforcing it the orchestrator's.",
      },
      { group: IO_PACKAGES, message: 'The policy does no I/O: lib/storage/policy-store.ts reads it.' },
    ],
  },
  {
    name: 'pure planning: every file of lib/plan/ but the reads',
    files: ['lib/plan/**/*.ts'],
    ignores: ['lib/plan/reads.ts', 'lib/plan/plan-run.ts', 'lib/plan/destroy-plan.ts'],
    patterns: [
      {
        regex: RUNTIME + '|^\\./(reads|plan-run)\\.js$',
        message: 'Planning decisions are pure: the reads they need live in lib/plan/reads.ts.',
      },
      { group: IO_PACKAGES, message: 'Planning decisions do no I/O.' },
    ],
  },
  {
    name: 'planning reads',
    files: ['lib/plan/reads.ts', 'lib/plan/plan-run.ts', 'lib/plan/destroy-plan.ts'],
    patterns: [
      {
        regex: lib('execute', 'storage', 'trigger', ...ORCHESTRATOR),
        message: 'Planning comes before execution and knows nothing of storage.',
      },
    ],
  },
  {
    name: 'the FDI client',
    files: ['lib/fdi/client/**/*.ts'],
    patterns: [
      {
        regex: lib(
          'manifest',
          'template',
          'plan',
          'execute',
          'report',
          'storage',
          'traffic',
          'trigger',
          ...ORCHESTRATOR,
        ),
        message: 'The FDI client speaks HTTP; it knows nothing of runs, manifests or storage.',
      },
    ],
  },
  {
    name: 'traffic',
    files: ['lib/traffic/**/*.ts'],
    patterns: [
      {
        regex: lib('manifest', 'template', 'plan', 'execute', 'report', 'storage', 'trigger', ...ORCHESTRATOR),
        message: 'Traffic paces and retries requests; it knows nothing of what they are for.',
      },
    ],
  },
  {
    name: 'execution',
    files: ['lib/execute/**/*.ts'],
    patterns: [
      {
        regex: lib('storage', 'trigger', ...ORCHESTRATOR, 'logger'),
        message: "Execution carries out a plan; reading, reporting and writing are the orchestrator's.",
      },
    ],
  },
  {
    name: 'storage',
    files: ['lib/storage/**/*.ts'],
    patterns: [
      {
        regex: '(^|/)fdi/|' + lib('plan', 'execute', 'traffic', 'trigger', ...ORCHESTRATOR),
        message: 'Storage reads manifests and writes reports; it knows nothing of FDI or of runs.',
      },
    ],
  },
  {
    name: 'the orchestrator',
    files: ['lib/run-manifest.ts', 'lib/run-record.ts', 'lib/run-types.ts'],
    patterns: [
      { regex: lib('trigger'), message: 'The orchestrator knows no platform: the trigger is one of its callers.' },
      { group: IO_PACKAGES, message: 'The orchestrator does no I/O itself; its inputs do (docs/ARCHITECTURE.md).' },
    ],
  },
  {
    name: 'the run-end notice: the webhook',
    files: ['lib/notify/**/*.ts'],
    ignores: NOTIFY_PURE,
    patterns: [NOTIFY_BOUNDARY],
  },
  {
    name: 'the run-end notice, pure: settings, payload and retry policy',
    files: NOTIFY_PURE,
    patterns: [NOTIFY_BOUNDARY, { group: IO_PACKAGES, message: 'Only lib/notify/webhook.ts sends.' }],
  },
  {
    name: 'the runs a store knows (fdi-provision runs): reading them',
    files: ['lib/runs/**/*.ts'],
    ignores: RUNS_PURE,
    patterns: [RUNS_BOUNDARY],
  },
  {
    name: 'the runs, pure: deriving states and formatting them',
    files: RUNS_PURE,
    patterns: [
      RUNS_BOUNDARY,
      { group: IO_PACKAGES, message: 'Deriving and formatting read nothing: lib/runs/list-runs.ts does.' },
    ],
  },
  {
    name: 'the Lambda handler',
    files: ['handlers/**/*.ts'],
    patterns: [
      {
        regex: '(^|/)(cli|local|emulator|test|bench)/',
        message: 'A handler adapts an event to lib/; it uses nothing else.',
      },
    ],
  },
  {
    name: 'the command line',
    files: ['cli/**/*.ts'],
    patterns: [
      {
        regex: '(^|/)(handlers|test|bench)/',
        message: 'The command line adapts argv to lib/ (and starts local/ or the emulator).',
      },
    ],
  },
  {
    name: 'the emulator',
    files: ['emulator/**/*.ts'],
    patterns: [
      {
        regex: '(^|/)lib/(?!fdi/model/)|(^|/)(handlers|cli|local|test|bench)/',
        message: 'The emulator is a stand-in for FDI: it shares only the FDI model (lib/fdi/model/).',
      },
    ],
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      '.serverless/',
      '.esbuild/',
      'coverage/',
      'test-results/',
      '.local/',
      'reports/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  // Declarations of untyped packages name what they declare, used or not.
  { files: ['**/*.d.ts'], rules: { '@typescript-eslint/no-unused-vars': 'off' } },
  { files: ['lib/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: LIB_WIDE }] } },
  // The layers, with typescript-eslint's copy of the rule (type-only imports count too).
  ...LAYERS.map((layer) => ({
    files: layer.files,
    ...(layer.ignores ? { ignores: layer.ignores } : {}),
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: layer.patterns }] },
  })),
  {
    files: ['lib/**/*.ts', 'cli/**/*.ts', 'handlers/**/*.ts', 'local/**/*.ts', 'emulator/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }] },
  },
);
