/**
 * The orchestrator's contract (docs/ARCHITECTURE.md, "The orchestrator's inputs"): what a caller asks
 * for, what it injects, what it hears while the run goes and what it gets back. Types only.
 */
import type { Config } from './config.js';
import type { FdiConnector } from './fdi/client/connect.js';
import type { Logger } from './logger.js';
import type { CompiledManifest } from './manifest/index.js';
import type { Notifier } from './notify/index.js';
import type { Plan } from './plan/types.js';
import type { Policy } from './policy/policy.js';
import type { Operation, Report, RequestedBy, TaskResult, Timeline } from './report/types.js';
import type { AppliedStore } from './storage/applied-store.js';
import type { ManifestReader } from './storage/manifest-reader.js';
import type { ReportLocation, ReportSink } from './storage/report-sink.js';
import type { Clock, RequestCounts } from './types.js';
import type { LearnedQuota } from './traffic/quota-message.js';

interface Request {
  config: Config;
  /** What the run does with the manifest's tasks: provision them (default) or destroy them (docs/DESTROY.md). */
  operation?: Operation | undefined;
  /** Destroy: delete a task of the manifest's name whatever its definition. */
  force?: boolean | undefined;
  /** Hard stop: in-flight requests are aborted (SIGINT; the invocation about to end). */
  signal?: AbortSignal | undefined;
  observer?: RunObserver | undefined;
  /** Who asked for the run and which version of the manifest object (docs/SECURITY.md, "Who did what"). */
  provenance?: Provenance | undefined;
}

export interface Provenance {
  requestedBy?: RequestedBy | undefined;
  /** The manifest object's version, as the upload event named it. */
  versionId?: string | undefined;
}

/** Resolve, look up, decide: what `apply` would do. Reads only; writes no report. */
export interface PlanRequest extends Request {
  mode: 'plan';
}

/** Provision, and write the report to `sink`. */
export interface ApplyRequest extends Request {
  mode: 'apply';
  sink: ReportSink;
  /** Soft stop: the deadline nears. Dispatching stops and the run suspends instead of reporting. */
  deadline?: AbortSignal | undefined;
  /** A later invocation of a run picks it up from here (the trigger's checkpoint). */
  resume?: Resume | undefined;
  /**
   * After execution, wait up to `timeoutMs` for the executions of the tasks the run started or ran
   * (docs/VERIFY.md); over the manifest's `options.verify`.
   */
  verify?: { timeoutMs: number } | undefined;
}

export type RunRequest = PlanRequest | ApplyRequest;

/** Where an invocation of a run starts: its identity and what earlier invocations did. */
export interface Resume {
  runId: string;
  startedAt: Date;
  /** 1 for a run's first invocation; later ones leave earlier results alone and read back conflicts. */
  invocation: number;
  /** Results of earlier invocations; the final ones are not redone. */
  results: readonly TaskResult[];
  stats: RequestCounts;
  notes: readonly string[];
  /** The manifest's SHA-256 as an earlier invocation read it. */
  manifestSha256?: string | undefined;
  /** The quota the API gateway stated in an earlier invocation's 429: this one starts at it. */
  learnedQuota?: LearnedQuota | undefined;
  /** The run's timeline so far (report.json's `timeline`): this invocation adds to it. */
  timeline?: Timeline | undefined;
}

/** The run's state when it ends or suspends: what a checkpoint keeps. */
export interface RunState {
  stats: RequestCounts;
  manifestSha256?: string | undefined;
  notes: readonly string[];
  /** The quota the API gateway stated in a 429, if one did (lib/traffic/quota-message.ts). */
  learnedQuota?: LearnedQuota | undefined;
  /** Requests and progress per second so far. */
  timeline?: Timeline | undefined;
}

/** What the caller hears while the run goes (progress, checkpoints). */
export interface RunObserver {
  /** The run has its identity: its ID (a continued run's, for a later invocation) and when it started. */
  started?(run: { runId: string; startedAt: Date }): void;
  /** The plan, as execution starts (not for a plan-only run, nor for one its plan rejects). */
  planned?(plan: Plan, manifest: CompiledManifest): void;
  /**
   * Each task's result as it becomes known; a `final` one need not be redone by a later invocation.
   * `state` is the run's state at this moment, for a caller that saves it now and then.
   */
  result?(result: TaskResult, progress: { final: boolean; state: () => RunState }): void;
  /** Verification begins (docs/VERIFY.md): how many tasks it waits for, and until when at the latest. */
  verifying?(tasks: number, until: Date): void;
  /** After each look of verification: how many of the verified tasks have settled. */
  verified?(settled: number, total: number): void;
  /** Every result is in: awaited before the report is written or the run suspends. */
  ending?(state: RunState): Promise<void>;
}

/** The orchestrator's inputs: everything with a side effect. */
export interface RunDeps {
  reader: ManifestReader;
  fdi: FdiConnector;
  logger: Logger;
  clock?: Clock | undefined;
  /** The records of this product's last applies (docs/DRIFT.md); without them planning reads more. */
  applied?: AppliedStore | undefined;
  /**
   * The operator's policy over this manifest (docs/SECURITY.md), absent when the manifest is not
   * governed (no policy set; a local file on the command line).
   */
  policy?: PolicyInput | undefined;
  /**
   * Who hears that the run ended, once its report is written (docs/NOTIFY.md); not a plan, nor an
   * invocation that suspends: the operator's webhook (`config.notify`; `operatorNotifier` of
   * lib/notify). The run's outcome never depends on it.
   */
  notify?: Notifier | undefined;
}

/** The operator's policy for one run: read at its start; `load` throws when the policy cannot be used. */
export interface PolicyInput {
  /** The manifest's object key, which the rules' prefixes are matched against. */
  key: string;
  /** The policy, or undefined when none is set (the run is not restricted). */
  load(): Promise<Policy | undefined>;
}

/** What a finished run hands back besides its report. */
export interface Extras {
  plan?: Plan;
  manifest?: CompiledManifest;
  failedYaml?: string | undefined;
}

export type Finished = { kind: 'finished'; report: Report; written?: ReportLocation } & Extras;

/** A run stopped at its deadline, for a later invocation to continue. */
export interface Suspended {
  kind: 'suspended';
  runId: string;
  stats: RequestCounts;
}

export type RunOutcome = Finished | Suspended;
