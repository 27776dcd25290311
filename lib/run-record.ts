/**
 * What the orchestrator knows of a run as it goes — identity, notes, request counters, the manifest
 * and target as far as they are known — and how the run ends: a report built from it, handed to the
 * observer and, for an apply run, written to its sink. The reasons a run is refused or stopped before
 * execution are worded here too (execution words its own stops).
 */
import { createHash, randomBytes } from 'node:crypto';
import { UserError } from './errors.js';
import { FdiError } from './fdi/client/fdi-error.js';
import type { Logger } from './logger.js';
import type { CompiledManifest, ManifestSource, Problem } from './manifest/index.js';
import type { Plan } from './plan/types.js';
import { buildReport } from './report/build-report.js';
import type { ManifestError, Report, TaskResult } from './report/types.js';
import type { Extras, Finished, Resume, RunRequest, RunState } from './run-types.js';
import { TimelineRecorder } from './report/timeline.js';
import type { LearnedQuota } from './traffic/quota-message.js';
import { addCounts, NO_REQUESTS, type Clock, type RequestCounts } from './types.js';

/** How a run ended short of its tasks: refused before any write, or stopped on the way. */
export interface Ending {
  errors?: ManifestError[];
  rejected?: string | undefined;
  aborted?: string | undefined;
  /** `apply --verify`: how the executions stand (docs/VERIFY.md). */
  verify?: Report['verify'];
}

/** A sortable, unique run id: `20261128T203828Z-1a2b3c`. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export class RunRecord {
  readonly runId: string;
  readonly startedAt: Date;
  readonly log: Logger;
  /** Where this invocation picks the run up; undefined for a run's only or first invocation. */
  readonly resume: Resume | undefined;
  readonly notes: string[];
  #manifest: Report['manifest'];
  #target: Report['target'];
  #retryOf: Report['retry_of'];
  #policy: Report['policy'];
  /** What earlier invocations of the run sent. */
  readonly #prior: RequestCounts;
  #counts: () => RequestCounts;
  #learned: () => LearnedQuota | undefined;
  /** Requests and progress per second (report.json's `timeline`), continuing an earlier invocation's. */
  readonly timeline: TimelineRecorder;

  constructor(
    readonly uri: string,
    private readonly req: RunRequest,
    private readonly io: { clock: Clock; logger: Logger },
  ) {
    const resume = (this.resume = req.mode === 'apply' ? req.resume : undefined);
    this.startedAt = resume?.startedAt ?? io.clock.now();
    this.runId = resume?.runId ?? newRunId(this.startedAt);
    this.log = io.logger.child({ run_id: this.runId, manifest: uri });
    this.notes = [...(resume?.notes ?? [])];
    this.#prior = resume?.stats ?? NO_REQUESTS;
    this.#counts = () => this.#prior;
    this.#learned = () => resume?.learnedQuota;
    this.timeline = new TimelineRecorder(this.startedAt, () => io.clock.now().getTime(), resume?.timeline);
    this.#manifest = { uri, version_id: req.provenance?.versionId };
    this.#target = { project_id: req.config.projectId, instance_id: req.config.instanceId };
  }

  /** The manifest as read: its ETag and SHA-256 go into the report; a change since an earlier invocation is noted. */
  read(source: ManifestSource): void {
    const sha256 = source.body && createHash('sha256').update(source.body).digest('hex');
    this.#manifest = { uri: this.uri, etag: source.etag, version_id: this.#manifest.version_id, sha256 };
    const resume = this.resume;
    if (resume && resume.invocation > 1 && resume.manifestSha256 && sha256 && sha256 !== resume.manifestSha256) {
      this.notes.push(
        'The manifest object changed between invocations of this run; the run continued with the current content.',
      );
    }
  }

  /** The manifest's own target, over the configured one; and the run it retries, for a failed.yaml. */
  compiled(manifest: CompiledManifest): void {
    this.#target = { ...this.#target, ...manifest.target };
    this.#retryOf = manifest.retryOf;
  }

  /** The operator's policy in force, and the rule that governs the manifest (none when no rule covers it). */
  governedBy(origin: string, rule: string | undefined): void {
    this.#policy = { origin, rule };
  }

  /**
   * Where this invocation's request counters come from once it has traffic (added to earlier
   * invocations'), and the quota its traffic learned (kept for a later invocation).
   */
  countWith(live: () => RequestCounts, learned?: () => LearnedQuota | undefined): void {
    this.#counts = () => addCounts(this.#prior, live());
    if (learned) this.#learned = learned;
  }

  /** The counters, the manifest hash and the notes: what a checkpoint keeps. */
  get state(): RunState {
    return {
      stats: this.#counts(),
      manifestSha256: this.#manifest.sha256,
      notes: this.notes,
      learnedQuota: this.#learned(),
      timeline: this.timeline.snapshot(),
    };
  }

  /** The report of the run: returned, or (for an apply run) handed to the observer and written. */
  async finish(results: TaskResult[], ending: Ending, extras: Extras = {}): Promise<Finished> {
    const report = buildReport({
      runId: this.runId,
      operation: this.req.operation,
      manifest: this.#manifest,
      requestedBy: this.req.provenance?.requestedBy,
      policy: this.#policy,
      retryOf: this.#retryOf,
      target: this.#target,
      startedAt: this.startedAt,
      finishedAt: this.io.clock.now(),
      results,
      stats: this.#counts(),
      notes: this.notes,
      timeline: this.timeline.snapshot(),
      ...ending,
    });
    // Info, not warn: the command line prints the reason itself, and a terminal shows warnings.
    if (report.reason) this.log.info({ status: report.status, reason: report.reason }, `run ${report.status}`);
    if (this.req.mode === 'plan') return { kind: 'finished', report, ...extras };
    await this.req.observer?.ending?.({ ...this.state, stats: report.stats });
    const written = await this.req.sink.write(report, extras.failedYaml);
    const fields = { status: report.status, counts: report.counts, stats: report.stats, report: written.location };
    this.log.info(fields, 'run finished');
    return { kind: 'finished', report, written, ...extras };
  }

  /** Hands the state of a run that stops at its deadline to the observer, for a later invocation. */
  async suspend(): Promise<void> {
    await this.req.observer?.ending?.(this.state);
  }
}

export function manifestGone(uri: string): Ending {
  const reason = `the manifest ${uri} no longer exists`;
  return { rejected: reason, errors: [{ message: reason }] };
}

export function noTargets(missing: ManifestError[]): Ending {
  return { errors: missing, rejected: 'some tasks have no target instance; nothing was sent' };
}

export function manifestRejected(problems: Problem[]): Ending {
  const errors = problems.map((p) => ({
    message: p.message,
    file: p.file,
    line: p.line,
    column: p.column,
    task: p.taskName,
    hint: p.hint,
  }));
  return { errors, rejected: `the manifest has ${problems.length} problem(s); nothing was sent` };
}

/** The operator's policy cannot be used: the run fails closed, before its manifest is read. */
export function policyUnusable(err: unknown): Ending {
  const reason = `${(err as Error).message}; the run is refused until the operator's policy can be read, and nothing was sent`;
  return { rejected: reason, errors: [{ message: (err as Error).message, hint: POLICY_HINT }] };
}

const POLICY_HINT = "the policy is the operator's (FDI_POLICY or FDI_POLICY_OBJECT): see docs/SECURITY.md";

/** The manifest breaks the operator's policy: each way it does, located. */
export function policyRefused(errors: ManifestError[], rule: string | undefined): Ending {
  const under = rule ? ` for manifests under "${rule}"` : '';
  return {
    errors,
    rejected: `the operator's policy${under} refuses this manifest (${errors.length} problem(s)); nothing was sent`,
  };
}

/** A plan that blocks the run: its blockers, and its tasks' problems at their places in the manifest. */
export function planBlocked(plan: Plan): Ending {
  return { rejected: plan.blockers.join('; '), errors: plan.problems.map(({ tasks: _tasks, ...p }) => p) };
}

/** How a failure before any write ends the run: bad configuration rejects it, FDI refusing aborts it. */
export function planningFailed(err: unknown): Ending {
  if (err instanceof UserError) return { rejected: err.message };
  if (!(err instanceof FdiError)) throw err;
  if (err.status === 401) {
    return { aborted: `authentication failed (${err.errorCode ?? 'HTTP 401'}): check the FDI credentials` };
  }
  if (err.status === 404) {
    const detail = err.errorMsg ?? err.errorCode ?? 'HTTP 404';
    return {
      rejected: `not found while reading the instance (${err.operation}): check the project and instance IDs (${detail})`,
    };
  }
  return { aborted: `could not read the instance before provisioning: ${err.message}` };
}
