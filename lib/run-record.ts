/**
 * What the orchestrator knows of a run as it goes — identity, notes, request counters, the manifest
 * and target as far as they are known — and how the run ends: a report built from it, handed to the
 * observer and written to the sink. The reasons a run ends short of its tasks are worded here too.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Config } from './config.js';
import { UserError } from './errors.js';
import type { FailureThreshold } from './execute/threshold.js';
import { FdiError } from './fdi/client/fdi-error.js';
import type { Logger } from './logger.js';
import type { CompiledManifest, ManifestSource, Problem } from './manifest/index.js';
import type { Plan } from './plan/types.js';
import { buildReport } from './report/build-report.js';
import type { ManifestError, Report, TaskResult } from './report/types.js';
import type { Resume } from './run-manifest.js';
import type { ReportLocation, ReportSink } from './storage/report-sink.js';
import { NO_REQUESTS, type Clock, type RequestCounts, type StopReason } from './types.js';

/** How a run ended short of its tasks: refused before any write, or stopped on the way. */
export interface Ending {
  errors?: ManifestError[];
  rejected?: string;
  aborted?: string;
}

/** What a finished run hands back besides its report. */
export interface Extras {
  plan?: Plan;
  manifest?: CompiledManifest;
  failedYaml?: string | undefined;
}

export type Finished = { kind: 'finished'; report: Report; written?: ReportLocation } & Extras;

/** The observer's hook that sees the run's end before its report is written (checkpoints). */
export type Settle = (state: {
  stats: RequestCounts;
  manifestSha256?: string | undefined;
  notes: readonly string[];
}) => Promise<void>;

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
  readonly notes: string[];
  #manifest: Report['manifest'];
  #target: Report['target'];
  #counts: () => RequestCounts;

  constructor(
    readonly uri: string,
    config: Config,
    private readonly io: { clock: Clock; logger: Logger; sink?: ReportSink | undefined; settle?: Settle | undefined },
    private readonly resume?: Resume,
  ) {
    this.startedAt = resume?.startedAt ?? io.clock.now();
    this.runId = resume?.runId ?? newRunId(this.startedAt);
    this.log = io.logger.child({ run_id: this.runId, manifest: uri });
    this.notes = [...(resume?.notes ?? [])];
    const prior = resume?.stats ?? NO_REQUESTS;
    this.#counts = () => prior;
    this.#manifest = { uri };
    this.#target = { project_id: config.projectId, instance_id: config.instanceId };
  }

  /** The manifest as read: its ETag and SHA-256 go into the report; a change since an earlier invocation is noted. */
  read(source: ManifestSource): void {
    const sha256 = source.body && createHash('sha256').update(source.body).digest('hex');
    this.#manifest = { uri: this.uri, etag: source.etag, sha256 };
    const earlier = this.resume?.manifestSha256;
    if (earlier && sha256 && sha256 !== earlier && this.resume!.invocation > 1) {
      this.notes.push(
        'The manifest object changed between invocations of this run; the run continued with the current content.',
      );
    }
  }

  /** The manifest's own target, over the configured one. */
  compiled(manifest: CompiledManifest): void {
    this.#target = { ...this.#target, ...manifest.target };
  }

  /** Where the request counters come from once the run has traffic. */
  countWith(counts: () => RequestCounts): void {
    this.#counts = counts;
  }

  get counts(): RequestCounts {
    return this.#counts();
  }

  /** The report of the run: returned, or (for an apply run) settled with the observer and written. */
  async finish(mode: 'plan' | 'apply', results: TaskResult[], ending: Ending, extras: Extras = {}): Promise<Finished> {
    const report = buildReport({
      runId: this.runId,
      manifest: this.#manifest,
      target: this.#target,
      startedAt: this.startedAt,
      finishedAt: this.io.clock.now(),
      results,
      stats: this.counts,
      notes: this.notes,
      ...ending,
    });
    if (mode === 'plan') return { kind: 'finished', report, ...extras };
    await this.io.settle?.({ stats: report.stats, manifestSha256: this.#manifest.sha256, notes: this.notes });
    const written = await this.io.sink?.write(report, extras.failedYaml);
    const fields = { status: report.status, counts: report.counts, stats: report.stats, report: written?.location };
    this.log.info(fields, 'run finished');
    return { kind: 'finished', report, ...(written && { written }), ...extras };
  }

  /** Settles a run that stops at its deadline, to be continued by a later invocation. */
  async suspend(): Promise<void> {
    await this.io.settle?.({ stats: this.counts, manifestSha256: this.#manifest.sha256, notes: this.notes });
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

/** Why execution stopped early, in one sentence for the report. */
export function stopped(reason: StopReason, threshold: FailureThreshold, authError?: FdiError): Ending {
  switch (reason) {
    case 'threshold':
      return {
        aborted: `more than ${threshold.percent}% of the attempted tasks failed (after at least ${threshold.min_attempted}); the rest were not attempted`,
      };
    case 'auth': {
      const why = `${authError?.errorCode ?? 'HTTP 401'}${authError?.errorMsg ? `: ${authError.errorMsg}` : ''}`;
      return { aborted: `authentication failed (${why}); the run stopped at once` };
    }
    case 'deadline':
      return { aborted: 'the deadline was reached; the rest were not attempted' };
    case 'signal':
      return { aborted: 'the run was interrupted; the rest were not attempted' };
  }
}
